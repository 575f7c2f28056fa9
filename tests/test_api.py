import inspect

import presslens


def test_public_api_is_all():
    """Everything public that is not a submodule is listed in __all__, and __all__ resolves."""
    public = {
        name
        for name, value in vars(presslens).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(presslens.__all__) - {"__version__"}
    assert presslens.__version__
