"""Demo notices, feedback and contacts: a notice per filing deadline of the past year and the
next quarter (plus the 2006 notice that opened the system, one to 区县 only and one to chosen
units), feedback reports in every state with the office's replies, and the three divisions of
the 2006 notice with its people and phone numbers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from ..clock import today, utcnow
from ..extensions import db
from ..filing.deadlines import deadline
from ..filing.periods import Period
from ..forms import FORMS
from ..models.notice import (
    AUDIENCE_ALL,
    AUDIENCE_KINDS,
    AUDIENCE_UNITS,
    IN_PROGRESS,
    OPEN,
    RESOLVED,
    Contact,
    Division,
    Feedback,
    FeedbackReply,
    Notice,
    NoticeRead,
    NoticeTarget,
)
from ..models.unit import Unit
from ..models.user import PortalUser
from ..notices import attachments
from ..notices.html import clean

# The 2006 notice: 市政府法制办有关负责处室、人员及联系方式.
DIVISIONS = [
    ("秘书处", "信息系统的运行和用户账号；法制机构和人员统计",
     [("处长", "魏力", "83970021"), ("具体负责人员", "尤睿", "83970026")]),
    ("监督指导处", "行政处罚情况统计",
     [("副处长", "程行仑", "83970060"), ("具体负责人员", "尚宝华", "83970062")]),
    ("复议应诉指导处", "行政复议、应诉情况统计",
     [("处长", "张培莉", "65193447"), ("具体负责人员", "李浩", "65193445"), ("具体负责人员", "张澍", "65193445")]),
]

OPENING_NOTICE = """<p>各区、县人民政府法制办公室，市政府各委、办、局法制处：</p>
<p>为贯彻市委、市政府“职责清、数据准、情况明、素质高”的要求，市政府法制办开发了“北京市政府法制工作信息系统”，并将于6月底正式启用。目前，该系统开通了三个统计模块：政府法制机构和人员情况统计模块、行政复议和应诉情况统计模块、行政处罚情况统计模块。</p>
<h4>填报时间</h4>
<ul><li>行政复议、应诉统计数据：每年1月15日和7月15日前填报上个半年的数据；</li>
<li>行政处罚统计数据：每季度第一个月的15日前填报上一季度数据；</li>
<li>政府法制机构和人员数据：每年更新一次。</li></ul>
<h4>加强沟通，及时反馈情况</h4>
<p>对于开通试运行后出现的<strong>网络运行、软件设计、数据填报</strong>等方面的问题，要及时、主动向市政府法制办反映，确保系统在最短的时间内实现顺畅运行。有关负责处室、人员及联系方式见“联系方式”页面。</p>"""

DEADLINE_BODY = """<p>各区、县人民政府法制办公室，市政府各委、办、局法制处：</p>
<p>请于<strong>{deadline}</strong>前通过本系统报送以下统计数据：</p>
<ul>{items}</ul>
<p>各单位填报统计数据要严谨细致，主管领导要严格把关，切实保证数据真实、准确，没有遗漏；报表须经本单位审核人审核后上报。修改已上报的数据，请通过“修改申请”按规定程序申报。</p>
<p>填报中遇到问题，请通过“问题反馈”反映，或按“联系方式”与负责处室联系。</p>"""

GUIDE = ("填报说明\n\n1. 登录后在首页查看本期应报的报表。\n2. 填写完毕后点击“提交审核”，由单位审核人审核上报。\n"
         "3. 被退回的报表请按退回意见修改后重新提交。\n").encode()


def _deadline_groups(on: dt.date) -> dict[dt.date, list[tuple[str, Period]]]:
    """Deadline → the (form, period) pairs due on it, for deadlines from a year ago to 3 months ahead."""
    out: dict[dt.date, list[tuple[str, Period]]] = {}
    for code, spec in FORMS.items():
        p = Period(on.year - 2, spec.period_kind, 1)
        while p.start <= on + dt.timedelta(days=90):
            due = deadline(code, p)
            if on - dt.timedelta(days=365) <= due <= on + dt.timedelta(days=90):
                out.setdefault(due, []).append((code, p))
            p = p.next()
    return dict(sorted(out.items()))


def _stamp(day: dt.date, hour: int = 1) -> dt.datetime:
    """A stored (naive UTC) time on a local day: 09:00 Beijing is 01:00 UTC."""
    return dt.datetime.combine(day, dt.time(hour))


def _notice(title: str, body: str, published: dt.datetime, audience: str = AUDIENCE_ALL,
            kinds=(), unit_ids=()) -> Notice:
    published = min(published, utcnow())
    n = Notice(title=title, body=clean(body), audience=audience, published_at=published, updated_at=published,
               author="reviewer")
    n.targets = [NoticeTarget(kind=k) for k in kinds] + [NoticeTarget(unit_id=u) for u in unit_ids]
    db.session.add(n)
    return n


def _users() -> dict[str, PortalUser]:
    return {u.username: u for u in db.session.scalars(select(PortalUser))}


def load_notices_demo() -> dict[str, int]:
    """Insert the demo notices, receipts, feedback and contacts (only into empty tables)."""
    if db.session.scalar(select(func.count()).select_from(Notice)) or \
            db.session.scalar(select(func.count()).select_from(Division)):
        return {"notices": 0}
    on = today()
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    users = _users()
    admin = users.get("admin")
    by = admin.username if admin else "system"

    for i, (name, duties, people) in enumerate(DIVISIONS, start=1):
        d = Division(name=name, duties=duties, sort_order=i)
        d.contacts = [Contact(post=post, name=person, phone=phone, sort_order=j)
                      for j, (post, person, phone) in enumerate(people, start=1)]
        db.session.add(d)

    notices = [_notice("关于开通北京市政府法制工作信息系统的通知", OPENING_NOTICE, _stamp(dt.date(2006, 6, 20)))]
    for due, items in _deadline_groups(on).items():
        published = min(due - dt.timedelta(days=20), on)
        lines = "".join(f"<li>{FORMS[c].menu_title}统计数据：{p.label}</li>" for c, p in items)
        titles = "、".join(dict.fromkeys(FORMS[c].menu_title for c, _ in items))
        day = f"{due.year}年{due.month}月{due.day}日"
        title = f"关于报送{items[0][1].label}{titles}统计数据的通知" if len(items) == 1 else \
            f"关于{day}前报送{titles}统计数据的通知"
        notices.append(_notice(title, DEADLINE_BODY.format(deadline=day, items=lines),
                               _stamp(published)))
    districts = _notice("关于区县政府法制机构人员信息核对的通知",
                        "请各区、县政府法制办于本月底前核对“人员名册”中本单位人员的学历、职级和证书信息。\n\n"
                        "核对中发现的问题请通过“问题反馈”反映。",
                        _stamp(on - dt.timedelta(days=6)), AUDIENCE_KINDS, kinds=("district", "county"))
    chosen = [units[c].id for c in ("2300", "3400", "4500", "6000") if c in units]
    departments = _notice("关于行政处罚统计口径的补充说明",
                          "<p>经研究，<em>责令改正</em>不计入行政处罚决定数；没收违法所得和罚款并处的，按一件决定计算。</p>",
                          _stamp(on - dt.timedelta(days=3)), AUDIENCE_UNITS, unit_ids=chosen)
    notices += [districts, departments]
    db.session.flush()
    guide = attachments.check("填报说明.txt", GUIDE)
    attachments.store(guide, by, notice=notices[-3])

    # Receipts: the demo units' users have read the older notices, not the latest ones.
    for username in ("dongcheng_filler", "dongcheng_approver", "gongan_filler"):
        user = users.get(username)
        if user is None:
            continue
        for n in notices[:-3]:
            if n.published_at < _stamp(on - dt.timedelta(days=30)):
                db.session.add(NoticeRead(notice_id=n.id, unit_id=user.unit_id, user_id=user.id,
                                          username=username, read_at=n.published_at + dt.timedelta(hours=5)))

    now = utcnow()
    reports = [
        ("0100", "dongcheng_filler", "network", "上报时页面长时间无响应",
         "点击“提交审核”后页面转圈约一分钟才返回，偶尔提示超时。", RESOLVED,
         [("reviewer", True, "已排查，为机房网络设备故障，现已修复。请重新提交。", RESOLVED)]),
        ("0100", "dongcheng_approver", "software", "导出的Excel表格打开后中文显示异常",
         "在“统计报表”导出后，用WPS打开表头显示为乱码。", OPEN, []),
        ("2300", "gongan_filler", "filing", "行政处罚决定数与案件数不一致时能否上报",
         "本季度有一案多决定的情况，系统提示决定数大于结案数，是否需要说明？", IN_PROGRESS,
         [("reviewer", True, "一案多决定的，可以上报，请在“情况说明”中写明。我处正在核实统计口径，稍后答复。",
           IN_PROGRESS),
          ("gongan_filler", False, "已在情况说明中写明，请核实。", None)]),
        ("2300", "gongan_approver", "other", "申请增加一个审核人账号", "本单位法制处新增一名审核人员，请开通账号。",
         OPEN, []),
        ("0500", "朝阳区填报员", "network", "无法访问系统登录页面", "今天上午区政务网无法打开登录页。", RESOLVED,
         [("reviewer", True, "区政务网出口线路已恢复，请重试。", RESOLVED)]),
        ("0600", "海淀区填报员", "filing", "上半年行政复议数据需要修改", "已上报的案件数少填2件，如何修改？",
         IN_PROGRESS,
         [("reviewer", True, "请通过“修改申请”提交修改后的数据和原因，我处审核后生效。", IN_PROGRESS)]),
    ]
    for k, (code, author, category, title, text, state, replies) in enumerate(reports):
        unit = units.get(code)
        if unit is None:
            continue
        created = now - dt.timedelta(days=20 - 3 * k, hours=k)
        user = users.get(author)
        fb = Feedback(unit_id=unit.id, category=category, title=title, description=text, state=OPEN,
                      author_id=user.id if user else None, author=author, created_at=created, updated_at=created)
        db.session.add(fb)
        at = created
        for who, office, body, to_state in replies:
            at += dt.timedelta(hours=20)
            replier = users.get(who)
            db.session.add(FeedbackReply(feedback=fb, body=body, from_office=office, at=at, author=who,
                                         author_id=replier.id if replier else None,
                                         from_state=fb.state if to_state and to_state != fb.state else None,
                                         to_state=to_state if to_state and to_state != fb.state else None))
            if to_state:
                fb.state = to_state
        fb.state, fb.updated_at = state, at
        if code == "2300" and category == "filing":
            db.session.flush()
            note = attachments.check("系统提示.txt", "提示：「行政处罚决定数」大于「结案数」，请核对。".encode())
            attachments.store(note, author, feedback=fb)
    db.session.commit()
    return {"notices": len(notices), "feedback": len(reports), "divisions": len(DIVISIONS)}
