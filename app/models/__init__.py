"""All tables of the portal (FAB's own come with the security manager's user model)."""

from .audit import AuditLog
from .blob import Blob
from .cases import CaseCounter, CasePrefix, Holiday, LitigationCase, ReconApplicant, ReconCase
from .docflow import DocFile, DocTransition, InfoBrief, InfoItem, NormativeDoc
from .filing import (
    CorrectionRequest,
    DeadlineOverride,
    Filing,
    FilingTransition,
    FormAssignment,
    FormSetting,
    Reminder,
)
from .job import ExportJob
from .notice import (
    Attachment,
    Contact,
    Division,
    Feedback,
    FeedbackReply,
    Notice,
    NoticeRead,
    NoticeTarget,
)
from .pii import PiiKeyState
from .staff import Certificate, StaffMember, StaffSnapshot, TrainingCourse, TrainingRecord
from .unit import UNIT_KINDS, Unit
from .user import PortalUser
from .values import VALUE_MODELS, value_model

__all__ = [
    "Blob",
    "ExportJob",
    "DocFile",
    "DocTransition",
    "InfoBrief",
    "InfoItem",
    "NormativeDoc",
    "PiiKeyState",
    "Attachment",
    "Contact",
    "Division",
    "Feedback",
    "FeedbackReply",
    "Notice",
    "NoticeRead",
    "NoticeTarget",
    "AuditLog",
    "CaseCounter",
    "CasePrefix",
    "Holiday",
    "LitigationCase",
    "ReconApplicant",
    "ReconCase",
    "Certificate",
    "StaffMember",
    "StaffSnapshot",
    "TrainingCourse",
    "TrainingRecord",
    "CorrectionRequest",
    "DeadlineOverride",
    "Filing",
    "FilingTransition",
    "FormAssignment",
    "FormSetting",
    "Reminder",
    "PortalUser",
    "UNIT_KINDS",
    "Unit",
    "VALUE_MODELS",
    "value_model",
]
