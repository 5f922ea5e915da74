from vigil.news.tests.factories import UpdatePageFactory


def test_update_page_renders(client, updates_index):
    """An update created by the factory is served at its URL."""
    update = UpdatePageFactory(parent=updates_index, title="Hello")
    response = client.get(update.url)
    assert response.status_code == 200
    assert b"Hello" in response.content
