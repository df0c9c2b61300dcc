"""REST APIs under /api/v1/ (explicit columns, scoped, JSON errors)."""


def register_apis(appbuilder) -> None:
    """Add the portal's APIs."""
    from .filings import FilingApi
    from .staff import StaffApi

    appbuilder.add_api(FilingApi)
    appbuilder.add_api(StaffApi)
