"""REST APIs under /api/v1/ (explicit columns, scoped, JSON errors)."""


def register_apis(appbuilder) -> None:
    """Add the portal's APIs."""
    from .filings import FilingApi

    appbuilder.add_api(FilingApi)
