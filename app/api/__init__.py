"""REST APIs under /api/v1/ (explicit columns, scoped, JSON errors)."""


def register_apis(appbuilder) -> None:
    """Add the portal's APIs."""
    from .filings import FilingApi
    from .forms import FormApi
    from .reference import PeriodApi, TimelinessApi, UnitApi
    from .staff import StaffApi

    for api in (FilingApi, FormApi, StaffApi, UnitApi, PeriodApi, TimelinessApi):
        appbuilder.add_api(api)
