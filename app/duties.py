"""Separation of duties (三员分立), held by construction on every surface.

Three duties are kept apart:

- PERMISSIONS — roles, permissions, view menus and groups: the security administrator's;
- AUDIT — the audit trail: the audit administrator's;
- ACCOUNTS — other people's accounts (create, edit, deactivate, reset a password, API keys of
  others): the system administrator's (the security administrator edits accounts to give roles).

Which (permission, view) pair belongs to which duty is derived from what FAB registered — the
model a view manages or the FAB class it is — never from a list of view names, so a view FAB adds
later (its security REST API, say) is classified the same way (`pair_duties`). `app.security
.sync_roles` gives a duty's pairs only to the roles entitled to it, and pairs of views that are
not registered to nobody.

Below the views, one guard on the database session (`install`) holds on every surface — web
forms, the REST API, the command line — whatever view code forgets:

- no account holds two of the three administrator roles (directly or through a group);
- a 三员 role is granted or taken away only by the security administrator, never to oneself
  (the server's own commands — ``flask portal init``, ``flask fab create-admin`` — act as the
  system);
- a duty's permissions are held only by the role entitled to it, and the three roles keep
  their names;
- every change of role membership, role permissions, passwords, account activation and API
  keys writes an audit row (old → new), and a password change or deactivation ends every
  session and token of that account (``session_epoch``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect

PERMISSIONS, AUDIT, ACCOUNTS = "permissions", "audit", "accounts"

ADMIN = "系统管理员"
SECURITY_ADMIN = "安全管理员"
AUDIT_ADMIN = "审计管理员"
PRIVILEGED_ROLES = (ADMIN, SECURITY_ADMIN, AUDIT_ADMIN)

# Which roles may hold a duty's pairs.
ENTITLED = {PERMISSIONS: {SECURITY_ADMIN}, AUDIT: {AUDIT_ADMIN}, ACCOUNTS: {ADMIN, SECURITY_ADMIN}}

# Pseudo-view capabilities (app.security.CAPABILITIES) that belong to a duty.
CAPABILITY_DUTIES = {("can_assign_roles", "Security"): PERMISSIONS}

# On the user view, one's own profile is nobody's duty.
_SELF_USER_PERMISSIONS = {"can_userinfo", "resetmypassword", "userinfoedit"}

TWO_ROLES = _l("一个账号只能担任系统管理员、安全管理员、审计管理员中的一种")
SELF_GRANT = _l("不能为自己授予或收回系统管理员、安全管理员、审计管理员角色")
NOT_SECURITY_ADMIN = _l("只有安全管理员可以授予或收回系统管理员、安全管理员、审计管理员角色")


class DutyViolation(PermissionError):
    """A change that would break the separation of duties; the message is the Chinese reason."""


def _view_duty(view, sm) -> str | None:
    """The duty of a registered FAB view (web or REST), from the model it manages or its class."""
    from flask_appbuilder.security import views as fab_views
    from flask_appbuilder.security.sqla import models as fab_models

    from .models.audit import AuditLog

    model = getattr(getattr(view, "datamodel", None), "obj", None)
    if isinstance(model, type):
        if issubclass(model, (fab_models.Role, fab_models.Permission, fab_models.ViewMenu,
                              fab_models.PermissionView, fab_models.Group)):
            return PERMISSIONS
        if issubclass(model, AuditLog):
            return AUDIT
        if issubclass(model, (fab_models.User, fab_models.RegisterUser, fab_models.ApiKey)):
            return ACCOUNTS
    if isinstance(view, fab_views.ResetPasswordView):
        return ACCOUNTS
    return None


def pair_duties(appbuilder) -> dict[tuple[str, str], str | None]:
    """Every (permission, view) pair of a registered view, menu entry or capability → its duty
    (None: no duty). Pairs of views that are not registered are absent: nobody gets them."""
    from .security import CAPABILITIES

    sm = appbuilder.sm
    out: dict[tuple[str, str], str | None] = {}
    view_duty: dict[str, str | None] = {}
    for view in appbuilder.baseviews:
        duty = _view_duty(view, sm)
        name = view.class_permission_name
        view_duty[name] = duty
        perms = set(getattr(view, "base_permissions", None) or ())
        if not perms:  # FAB fills base_permissions when the view is added; an empty one has none
            continue
        is_user_view = duty == ACCOUNTS and getattr(getattr(view, "datamodel", None), "obj", None) is sm.user_model
        for perm in perms:
            out[(perm, name)] = None if is_user_view and perm in _SELF_USER_PERMISSIONS else duty

    def walk(items):
        for item in items:
            base = item.baseview
            out[("menu_access", item.name)] = _view_duty(base, sm) if base is not None else None
            walk(item.childs)

    walk(appbuilder.menu.get_list())
    for pair in CAPABILITIES:
        out[pair] = CAPABILITY_DUTIES.get(pair)
    return out


def may_hold(role_name: str, duty: str | None) -> bool:
    """Whether a role of that name may hold pairs of that duty."""
    return duty is None or role_name in ENTITLED[duty]


# ---- the guard ------------------------------------------------------------------------------

@dataclass
class _Event:
    action: str
    object_type: str
    obj: object  # its id is read when the row is written: a new row has one only after the flush
    detail: dict


def effective_roles(user) -> set[str]:
    """Names of the roles a user holds directly or through a group."""
    names = {r.name for r in (user.roles or ())}
    for group in getattr(user, "groups", None) or ():
        names |= {r.name for r in group.roles}
    return names


def check_role_change(user, before: set[str], after: set[str], actor) -> None:
    """Raise DutyViolation when `actor` may not change `user`'s roles from `before` to `after`.
    `actor` None is the server itself (command line, start-up)."""
    from .security import has_perm

    if len(set(after) & set(PRIVILEGED_ROLES)) > 1:
        raise DutyViolation(TWO_ROLES)
    touched = (set(after) ^ set(before)) & set(PRIVILEGED_ROLES)
    if touched and actor is not None:
        if getattr(actor, "id", None) is not None and actor.id == getattr(user, "id", None):
            raise DutyViolation(SELF_GRANT)
        if not has_perm(actor, "can_assign_roles", "Security"):
            raise DutyViolation(NOT_SECURITY_ADMIN)


def _actor():
    from flask import has_request_context

    if not has_request_context():
        return None
    from .scope import acting_user

    user = acting_user()
    return user if getattr(user, "is_authenticated", False) else None


def _history_names(state, attr) -> tuple[set[str], set[str]]:
    """(before, after) names of a collection attribute, from its history."""
    hist = state.attrs[attr].history
    unchanged = {o.name for o in hist.unchanged or ()}
    return unchanged | {o.name for o in hist.deleted or ()}, unchanged | {o.name for o in hist.added or ()}


def _pair(pv) -> str:
    return f"{pv.permission.name}:{pv.view_menu.name}"


def _duties_of_app() -> dict:
    from flask import current_app

    cache = current_app.extensions.setdefault("portal_duties", {})
    if "pairs" not in cache:
        cache["pairs"] = pair_duties(current_app.appbuilder)
    return cache["pairs"]


def _user_events(user, new: bool, deleting: bool, actor, events) -> None:
    state = inspect(user)
    if new:
        before, after = set(), effective_roles(user)
    elif deleting:
        before, after = effective_roles(user), set()
    else:
        before, after = _history_names(state, "roles")
        groups = {r.name for g in getattr(user, "groups", None) or () for r in g.roles}
        before, after = before | groups, after | groups
    if before != after:
        check_role_change(user, before, after, actor)
        events.append(_Event("role.membership", "user", user, {
            "username": user.username, "added": sorted(after - before), "removed": sorted(before - after)}))
    if new or deleting:
        return
    ends_sessions = False
    if state.attrs.password.history.has_changes():
        own = actor is not None and actor.id == user.id
        events.append(_Event("account.password_changed" if own else "account.password_reset", "user", user,
                             {"username": user.username}))
        ends_sessions = True
    active = state.attrs.active.history
    if active.has_changes():
        was = bool((active.deleted or [None])[0])
        events.append(_Event("account.active", "user", user, {"username": user.username,
                                                               "active": [was, bool(user.active)]}))
        ends_sessions = ends_sessions or not user.active
    if ends_sessions and hasattr(user, "session_epoch"):
        user.session_epoch = (user.session_epoch or 0) + 1


def check_role_change_of_role(role, old_name: str | None, deleting: bool, added_pvs) -> None:
    """Raise DutyViolation when a role would be renamed or deleted (the three), or given a
    permission of a duty it is not entitled to (or of a view that is not registered)."""
    if old_name is not None and old_name != role.name and {old_name, role.name} & set(PRIVILEGED_ROLES):
        raise DutyViolation(_l("系统管理员、安全管理员、审计管理员角色不能改名"))
    if deleting and role.name in PRIVILEGED_ROLES:
        raise DutyViolation(_l("系统管理员、安全管理员、审计管理员角色不能删除"))
    pairs = _duties_of_app()
    for pv in added_pvs:
        duty = pairs.get((pv.permission.name, pv.view_menu.name), "unregistered")
        if duty == "unregistered" or not may_hold(role.name, duty):
            raise DutyViolation(_l("角色「%(role)s」不能持有权限 %(pair)s（三员分立）", role=role.name, pair=_pair(pv)))


def _role_events(role, new: bool, deleting: bool, actor, events) -> None:
    state = inspect(role)
    name_hist = state.attrs.name.history
    old_name = (name_hist.deleted or [None])[0] if not new and name_hist.has_changes() else None
    hist = state.attrs.permissions.history
    added = list(role.permissions or ()) if new else list(hist.added or ())
    check_role_change_of_role(role, old_name, deleting, [] if deleting else added)
    if deleting:
        events.append(_Event("role.delete", "role", role, {"role": role.name}))
        return
    if new:
        events.append(_Event("role.create", "role", role, {"role": role.name,
                                                             "permissions": sorted(map(_pair, added))}))
    elif hist.has_changes():
        events.append(_Event("role.permissions", "role", role, {
            "role": role.name, "added": sorted(map(_pair, hist.added or ())),
            "removed": sorted(map(_pair, hist.deleted or ()))}))
    members = state.attrs.user.history
    if not new and members.has_changes():  # membership changed from the role's side (FAB's REST role API)
        added_users = {id(u) for u in members.added or ()}
        for user in list(members.added or ()) + list(members.deleted or ()):
            after = effective_roles(user)
            before = after - {role.name} if id(user) in added_users else after | {role.name}
            check_role_change(user, before, after, actor)
            events.append(_Event("role.membership", "user", user, {
                "username": user.username, "added": sorted(after - before), "removed": sorted(before - after)}))


def _group_events(group, new: bool, actor, events) -> None:
    state = inspect(group)
    if new:
        roles_before, roles_after = set(), {r.name for r in group.roles or ()}
    else:
        roles_before, roles_after = _history_names(state, "roles")
    users_changed = not new and state.attrs.users.history.has_changes()
    if roles_before == roles_after and not users_changed and not new:
        return
    newcomers = {id(u) for u in (group.users or ()) if new or u in (state.attrs.users.history.added or ())}
    for user in group.users or ():
        after = effective_roles(user)
        before = after - roles_after if id(user) in newcomers else after - (roles_after - roles_before)
        check_role_change(user, before, after, actor)
    events.append(_Event("group.update", "group", group, {
        "group": group.name, "roles": sorted(roles_after), "users": sorted(u.username for u in group.users or ())}))


def _api_key_events(session, key, new: bool, deleting: bool, events) -> None:
    from flask_appbuilder.security.sqla.models import User

    state = inspect(key)
    owner = key.user if key.user is not None else session.get(User, key.user_id)
    detail = {"name": key.name, "owner": getattr(owner, "username", None), "prefix": key.key_prefix}
    if new:
        events.append(_Event("apikey.create", "api_key", key, detail))
    elif deleting:
        events.append(_Event("apikey.delete", "api_key", key, detail))
    elif state.attrs.active.history.has_changes() or state.attrs.revoked_on.history.has_changes():
        events.append(_Event("apikey.revoke", "api_key", key, detail))


def _before_flush(session, flush_context, instances) -> None:
    from flask_appbuilder.security.sqla import models as fab_models

    actor = _actor()
    events: list[_Event] = []
    # FAB's models define __eq__ without __hash__: track them by identity
    new, deleted = list(session.new), list(session.deleted)
    new_ids, deleted_ids = {id(o) for o in new}, {id(o) for o in deleted}
    for obj in new + list(session.dirty) + deleted:
        is_new, deleting = id(obj) in new_ids, id(obj) in deleted_ids
        if isinstance(obj, fab_models.User):
            _user_events(obj, is_new, deleting, actor, events)
        elif isinstance(obj, fab_models.Role):
            _role_events(obj, is_new, deleting, actor, events)
        elif isinstance(obj, fab_models.Group) and not deleting:
            _group_events(obj, is_new, actor, events)
        elif isinstance(obj, fab_models.ApiKey):
            _api_key_events(session, obj, is_new, deleting, events)
    if events:
        session.info.setdefault("security_events", []).extend(events)


def _before_commit(session) -> None:
    """Write the audit rows of the security changes in the same transaction as the changes."""
    session.flush()  # changes not yet flushed produce their events now
    events = session.info.pop("security_events", [])
    if not events:
        return
    from .audit import record

    for e in events:
        record(e.action, e.object_type, getattr(e.obj, "id", None), e.detail)


def _forget(session, *args) -> None:
    session.info.pop("security_events", None)


def install(session) -> None:
    """Attach the guard to `session` (Flask-SQLAlchemy's scoped session). Idempotent."""
    if event.contains(session, "before_flush", _before_flush):
        return
    event.listen(session, "before_flush", _before_flush)
    event.listen(session, "before_commit", _before_commit)
    event.listen(session, "after_soft_rollback", _forget)
