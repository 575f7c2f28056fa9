import presslens


def test_public_api_is_all():
    public = {name for name in dir(presslens) if not name.startswith("_")} - {
        "about", "analyze", "annotations", "convert", "errors", "inputs", "models", "nlp", "components", "corpus",
    }
    assert public <= set(presslens.__all__) | {"analyze"}
    for name in presslens.__all__:
        assert hasattr(presslens, name), name
