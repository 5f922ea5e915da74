import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"editor{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def editor(self, create, extracted, **kwargs):
        """Editors reach the admin through Wagtail's Editors group."""
        if create and not self.is_superuser:
            self.groups.add(Group.objects.get(name="Editors"))
        if create:
            self.save()


class SuperUserFactory(UserFactory):
    is_superuser = True
    is_staff = True
