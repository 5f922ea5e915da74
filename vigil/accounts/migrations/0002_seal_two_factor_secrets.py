"""TOTP keys stored until now in the clear are sealed, and recovery codes replaced by
their digests (vigil/accounts/sealing.py). Editors keep their phones and codes."""

from binascii import unhexlify

from django.db import migrations


def seal(apps, schema_editor):
    # The live module, not a frozen copy: the keys come from today's SECRET_KEY.
    from vigil.accounts import sealing

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")
    for device in TOTPDevice.objects.all().iterator():
        if not sealing.is_sealed(device.key):
            device.key = sealing.totp_key_seal(key=unhexlify(device.key.encode()))
            device.save(update_fields=["key"])
    for token in StaticToken.objects.all().iterator():
        if not sealing.is_recovery_digest(token.token):
            token.token = sealing.recovery_code_digest(code=token.token)
            token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_enrolment_invitation"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    # Not reversible: a digest cannot be turned back into the code.
    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
