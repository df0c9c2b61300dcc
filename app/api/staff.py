"""/api/v1/staff: the staff register, read-only, scoped, citizen IDs masked; one person's whole ID
at /staff/<id>/citizen-id for holders of can_full_citizen_id, each read audited."""

from __future__ import annotations

from flask import request
from sqlalchemy import select

from ..extensions import db
from ..models.staff import StaffMember
from ..scope import restrict
from ..staff.citizen_id import mask
from ..views.staff import full_ids_for
from .base import PAGE_PARAMS, PK_PARAM, PortalApi, endpoint, responses


def staff_json(s: StaffMember) -> dict:
    """The public shape of a person: explicit fields, the ID as the caller may see it."""
    return {
        "id": s.id, "unit_code": s.unit.code, "unit_name": s.unit.short_name, "name": s.name,
        "citizen_id": mask(s.citizen_id), "sex": s.sex, "birth_date": s.birth_date.isoformat(),
        "education": s.education, "major": s.major, "post": s.post, "rank": s.rank, "status": s.status,
        "certificates": [{"type": c.cert_type, "number": c.number, "valid_until":
                          c.valid_until.isoformat() if c.valid_until else None, "status": c.status}
                         for c in s.certificates],
    }


class StaffApi(PortalApi):
    """Staff of the caller's scope."""

    resource_name = "staff"
    class_permission_name = "Staff"
    method_permission_name = {"get_list": "read", "get": "read", "citizen_id": "read"}
    openapi_spec_tag = "Staff"
    openapi_spec_methods = {
        "get_list": {"get": {"parameters": [
            {"in": "query", "name": "status", "schema": {"type": "string", "enum": ["在职", "调离", "退休"]}},
            *PAGE_PARAMS], "responses": responses("StaffListSchema", "400")}},
        "get": {"get": {"parameters": [PK_PARAM], "responses": responses("StaffResultSchema", "404")}},
        "citizen_id": {"get": {"parameters": [PK_PARAM], "responses": responses("CitizenIdSchema", "403", "404")}},
    }

    @endpoint("/")
    def get_list(self):
        """Staff in the caller's scope.
        ---
        get:
          summary: List staff
        """
        q = restrict(select(StaffMember), StaffMember.unit_id)
        if request.args.get("status"):
            q = q.where(StaffMember.status == request.args["status"])
        return self.page_of(q, q.order_by(StaffMember.unit_id, StaffMember.id), staff_json)

    @endpoint("/<int:pk>")
    def get(self, pk):
        """One person.
        ---
        get:
          summary: Get a person
        """
        person = self.scoped_or_404(StaffMember, pk, "人员不存在或不在您的权限范围内")
        return self.response(200, result=staff_json(person))

    @endpoint("/<int:pk>/citizen-id")
    def citizen_id(self, pk):
        """One person's whole citizen ID (holders of can_full_citizen_id; every read audited).
        ---
        get:
          summary: Get a person's whole citizen ID (audited)
        """
        person = self.scoped_or_404(StaffMember, pk, "人员不存在或不在您的权限范围内")
        try:
            number = full_ids_for([person], "api.staff")[person.id]
        except PermissionError:
            return self.response(403, message="无权查看完整身份证号")
        db.session.commit()
        return self.response(200, result={"id": person.id, "citizen_id": number})
