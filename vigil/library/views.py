"""Documents served as Wagtail serves them, with the headers Wagtail gets wrong."""

from wagtail.documents.views.serve import serve as wagtail_document_serve


def document_serve(request, document_id, document_filename):
    """Wagtail's document view, without its Content-Encoding header.

    Wagtail sets Content-Encoding to what Python's mimetypes guesses from the name,
    which is None for every file we accept: the header then read "None", which no
    client understands. A document is sent as it is stored, never compressed on the
    way; a gzip file is content in its own right (application/gzip), and a
    Content-Encoding: gzip would make browsers unpack it as they save it.
    """
    response = wagtail_document_serve(request, document_id, document_filename)
    if "Content-Encoding" in response:
        del response["Content-Encoding"]
    return response
