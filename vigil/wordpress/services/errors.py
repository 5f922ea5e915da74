class WordPressImportError(Exception):
    """The export cannot be imported; `message` says why, for the person running the import."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
