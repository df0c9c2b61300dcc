"""/api/v1/normative-docs and /api/v1/info-items: scoped reads, drafts of the caller's own unit,
and every step through app.docflow.apply (the web's write path); writes carry `version`."""

from __future__ import annotations

from flask import request
from sqlalchemy import select

from .. import info, normative
from ..docflow import apply, history
from ..docflow import files as docfiles
from ..extensions import db
from ..filing.errors import FilingError
from ..models.docflow import InfoItem, NormativeDoc
from ..scope import acting_user, restrict
from .base import PortalApi, endpoint

NOT_FOUND = "记录不存在或不在您的权限范围内"


def _iso(value):
    return None if value is None else value.isoformat()


def normative_json(d: NormativeDoc, full: bool = False) -> dict:
    out = {"id": d.id, "unit_code": d.unit.code, "unit_name": d.unit.short_name, "title": d.title,
           "doc_number": d.doc_number, "issuer": d.issuer, "published_on": _iso(d.published_on),
           "due_on": _iso(d.due_on), "filed_at": _iso(d.filed_at), "state": d.state,
           "state_label": normative.STATES.get(d.state), "review_result": d.review_result,
           "response_due": _iso(d.response_due), "validity": d.validity, "validity_on": _iso(d.validity_on),
           "version": d.version}
    if full:
        out.update({n: _iso(getattr(d, n)) if k == "date" else getattr(d, n)
                    for n, (_label, k, _req) in normative.FIELDS.items()})
        out.update({"reject_reason": d.reject_reason, "review_opinion": d.review_opinion, "response": d.response,
                    "files": [{"id": f.id, "role": f.role, "filename": f.filename, "size": f.size}
                              for f in docfiles.files_of(normative.KIND.code, d.id)],
                    "history": [{"action": t.action, "to": t.to_state, "by": t.username, "at": _iso(t.at),
                                 "comment": t.comment} for t in history(normative.KIND, d)]})
    return out


def info_json(i: InfoItem, full: bool = False) -> dict:
    out = {"id": i.id, "unit_code": i.unit.code, "unit_name": i.unit.short_name, "title": i.title,
           "category": i.category, "state": i.state, "state_label": info.STATES.get(i.state),
           "adoption": i.adoption, "level": i.level, "instruction": i.instruction, "points": info.points(i),
           "submitted_at": _iso(i.submitted_at), "version": i.version}
    if full:
        out.update({"body": i.body, "decline_reason": i.decline_reason})
    return out


class _DocApi(PortalApi):
    """A document kind's API (app.docflow): list, show, create a draft, take a step — declared once
    here; each kind's class names its kind, model, JSON shape and create function."""

    kind = None
    model = None
    to_json = None
    create = None
    method_permission_name = {"get_list": "read", "get": "read", "post": "fill", "transition": "read"}

    def _fail(self, exc: FilingError):
        db.session.rollback()
        return self.error(exc.status, exc.message, exc.errors)

    @endpoint("/")
    def get_list(self):
        """The kind's documents in the caller's scope, newest first (optional `state`).
        ---
        get:
          summary: List documents
        """
        q = restrict(select(self.model), self.model.unit_id)
        state = request.args.get("state")
        if state:
            if state not in self.kind.states:
                return self.error(400, "「state」应为：" + "、".join(self.kind.states))
            q = q.where(self.model.state == state)
        return self.page_of(q, q.order_by(self.model.id.desc()), type(self).to_json)

    @endpoint("/<int:pk>")
    def get(self, pk):
        """One document with its files and history.
        ---
        get:
          summary: Get a document
        """
        doc = self.scoped_or_404(self.model, pk, NOT_FOUND)
        return self.response(200, result=type(self).to_json(doc, True))

    @endpoint("/", "POST")
    def post(self):
        """A draft of the caller's own unit (files are uploaded on the web page).
        ---
        post:
          summary: Create a draft
        """
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.error(400, "请求体应为 JSON 对象")
        try:
            doc = type(self).create(acting_user(), body)
            db.session.commit()
        except FilingError as exc:
            return self._fail(exc)
        return self.response(200, result=type(self).to_json(doc, True))

    @endpoint("/<int:pk>/transition", "POST")
    def transition(self, pk):
        """A step of the kind's workflow (see its states and steps); `version` required.
        ---
        post:
          summary: Take a step
        """
        doc = self.scoped_or_404(self.model, pk, NOT_FOUND)
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.error(400, "请求体应为 JSON 对象")
        version = self.version_arg(body)
        data = {k: v for k, v in body.items() if k not in ("text_file", "opinion_file", "files")}
        try:
            apply(self.kind, doc, str(body.get("step", "")), acting_user(), reason=body.get("reason"),
                  data=data, expected_version=version)
        except FilingError as exc:
            return self._fail(exc)
        return self.response(200, result=type(self).to_json(doc, True))


class NormativeDocApi(_DocApi):
    """规范性文件备案审查: steps edit, submit, register, reject, review, respond, close, mark."""

    resource_name = "normative-docs"
    class_permission_name = normative.NORMATIVE
    openapi_spec_tag = "Normative documents"
    kind, model = normative.KIND, NormativeDoc
    to_json = staticmethod(normative_json)
    create = staticmethod(normative.create_doc)


class InfoItemApi(_DocApi):
    """信息报送: steps edit, submit, office_edit, adopt, decline, instruct."""

    resource_name = "info-items"
    class_permission_name = info.INFO
    openapi_spec_tag = "Information items"
    kind, model = info.KIND, InfoItem
    to_json = staticmethod(info_json)
    create = staticmethod(info.create_item)
