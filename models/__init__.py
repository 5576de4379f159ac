"""Tables, engine and session: the only layer that talks to the database."""
from models.db import as_naive_utc, make_engine, session_scope, utcnow, create_schema
from models.residents import Resident, ConversationState, NoticeOptOut, RESIDENT_LANGUAGES, AGE_GROUPS, GENDERS
from models.places import Facility, District
from models.posts import Organization, Event, Opportunity, Notice, POST_STATUSES
from models.console import ConsoleUser, AuditLog, LoginAttempt
from models.inbox import InboxEvent, InboxLane, InboxWorker
from models.delivery import (
    Delivery, DeliveryBatch, JobError, SchedulerHeartbeat, last_scheduler_heartbeat, scheduler_running,
)
from models.signups import Attendance, CalendarToken, Signup, SignupReminder
from models.surveys import (Answer, Indicator, PopulationCell, Question, Response, Survey, SurveyRound,
                            ANSWER_CHANNELS, INDICATOR_METHODS, QUESTION_TYPES)
from models.faq import FaqEntry, UnansweredWord

__all__ = [
    "as_naive_utc", "make_engine", "session_scope", "utcnow", "create_schema",
    "Resident", "ConversationState", "NoticeOptOut", "RESIDENT_LANGUAGES", "AGE_GROUPS", "GENDERS",
    "Facility", "District", "Organization", "Event", "Opportunity", "Notice", "POST_STATUSES",
    "ConsoleUser", "AuditLog", "LoginAttempt", "InboxEvent", "InboxLane", "InboxWorker",
    "Delivery", "DeliveryBatch", "JobError", "SchedulerHeartbeat", "last_scheduler_heartbeat", "scheduler_running",
    "Signup", "Attendance", "SignupReminder", "CalendarToken",
    "Survey", "Question", "SurveyRound", "Response", "Answer", "Indicator", "PopulationCell",
    "ANSWER_CHANNELS", "INDICATOR_METHODS", "QUESTION_TYPES",
    "FaqEntry", "UnansweredWord",
]
