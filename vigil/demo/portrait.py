"""The demo case's portrait: drawn here, never a photograph of anyone.

A calm head-and-shoulders outline on a muted background, as campaign sites show where a
family has not yet agreed to publish a photo. Pillow draws it the same on every machine,
so the demo needs no downloaded picture and shows nobody's face.
"""

import io

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 800, 1000
_TOP = (138, 155, 171)  # muted blue-grey, lighter at the top
_BOTTOM = (86, 104, 121)
_FIGURE = (52, 66, 80)


def demo_portrait_jpeg() -> bytes:
    """An 800x1000 JPEG of the outline of a person's head and shoulders."""
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):
        share = y / (HEIGHT - 1)
        colour = tuple(round(a + (b - a) * share) for a, b in zip(_TOP, _BOTTOM, strict=True))
        draw.line([(0, y), (WIDTH, y)], fill=colour)
    figure = Image.new("L", (WIDTH, HEIGHT), 0)
    shape = ImageDraw.Draw(figure)
    shape.ellipse((275, 210, 525, 520), fill=255)  # head
    shape.rounded_rectangle((345, 470, 455, 650), radius=40, fill=255)  # neck
    shape.chord((40, 600, 760, 1500), 180, 360, fill=255)  # shoulders, cut by the frame
    # A soft edge: an outline, not a cut-out.
    figure = figure.filter(ImageFilter.GaussianBlur(3))
    image.paste(Image.new("RGB", (WIDTH, HEIGHT), _FIGURE), (0, 0), figure)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()
