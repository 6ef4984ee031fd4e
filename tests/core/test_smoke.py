def test_home_page_is_served(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "ATMP Catalyst" in response.get_data(as_text=True)
