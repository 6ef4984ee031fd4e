"""/healthz reports whether the database answers."""


def test_healthz_with_reachable_database_is_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_with_unreachable_database_is_unavailable(make_app, backend, tmp_path, free_port):
    unreachable = {
        "sqlite": f"sqlite:///{tmp_path / 'missing-directory' / 'accelerator.sqlite'}",
        "postgres": f"postgresql+psycopg://app@127.0.0.1:{free_port()}/postgres",
    }[backend]
    app = make_app(unreachable)

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}
