"""REST APIs under /api/v1/ (explicit columns, scoped, JSON errors)."""


def register_apis(appbuilder) -> None:
    """Add the portal's APIs and the OpenAPI spec endpoint."""
    from .cases import ReconCaseApi
    from .docflow import InfoItemApi, NormativeDocApi
    from .filings import FilingApi
    from .forms import FormApi
    from .openapi import register_openapi
    from .reference import PeriodApi, TimelinessApi, UnitApi
    from .staff import StaffApi
    from .statistics import StatisticsApi

    for api in (FilingApi, FormApi, StaffApi, UnitApi, PeriodApi, TimelinessApi, StatisticsApi, ReconCaseApi):
        appbuilder.add_api(api)
    for api in (NormativeDocApi, InfoItemApi):  # app.docflow's document kinds
        appbuilder.add_api(api)
    register_openapi(appbuilder)
