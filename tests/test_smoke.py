def test_login_page_is_public(client):
    response = client.get("/connexion/")
    assert response.status_code == 200


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")
