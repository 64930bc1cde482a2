"""Settings shared by every run mode.

Services are chosen by the environment: ``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL``
(Redis). Without them the site runs on SQLite with Celery in eager mode.
"""

from datetime import timedelta
from importlib import import_module
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "axes",
    "csp",
]
# Lower apps first: the order is the order of the house (see STYLE.md).
LOCAL_APPS = [
    "notifications",
    "orgs",
    "pool",
    "booking",
    "evaluation",
    "members",
    "activity",
    "records",
]
# The project's apps first: their translations and templates win over Django's for the same msgid or name.
INSTALLED_APPS = LOCAL_APPS + DJANGO_APPS + THIRD_PARTY_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # API query parameters that do not fit the published schema: 400 before the view runs.
    "orgs.api_params.QueryParameterValidationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the failed logins of every view, the API's token view included.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "orgs.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and an eager task write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock a user name on one address out after repeated failures (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
LOGIN_URL = "orgs:login"
LOGIN_REDIRECT_URL = "orgs:home"
LOGOUT_REDIRECT_URL = "orgs:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "orgs.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="先锋师资库 <noreply@localhost>")

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
}
# Computed answers (the roster search, supervision figures) kept in the cache and made stale by each
# write (orgs/cache.py). Only with a cache every process shares, unless set: with per-process memory,
# another web process would serve what this one made stale.
RESPONSE_CACHE = env.bool("RESPONSE_CACHE", default="redis" in CACHES["default"]["BACKEND"].lower())
RESPONSE_CACHE_SECONDS = env.int("RESPONSE_CACHE_SECONDS", default=300)

# --- Content-Security-Policy (django-csp): scripts only from here or with the request's nonce ---
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Django REST framework -------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous API call is answered 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "orgs.api_base.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "orgs.api_base.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": "30/minute"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "先锋师资库 API",
    "DESCRIPTION": "江苏省党员教育“先锋师资库”、党员活动日、流动党员双向共管与党员记实管理。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI from the vendored sidecar package: intranets have no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "orgs.schema.add_error_responses",
        "orgs.schema.document_json_requests",
    ],
    # Choice sets that share a field name across components get their own enum names.
    "ENUM_NAME_OVERRIDES": {
        "MemberStatusEnum": "members.models.Member.Status",
        "MemberLeftReasonEnum": "members.models.Member.LeftReason",
        "ProbationStatusEnum": "members.models.Probation.Status",
        "ActivistStageEnum": "members.models.Activist.Stage",
        "MobileStatusEnum": "members.models.MobileMembership.Status",
        "ExemptionReasonEnum": "members.models.RecordExemption.Reason",
        "ExemptionStateEnum": "members.models.RecordExemption.State",
        "ProbationDecisionStateEnum": "members.models.ProbationDecision.State",
        "PartnershipStateEnum": "members.models.Partnership.State",
        "InstructorStatusEnum": "pool.models.Instructor.Status",
        "CallStatusEnum": "pool.models.Call.Status",
        "SuggestionStatusEnum": "pool.models.Suggestion.Status",
        "FeeGradeEnum": "pool.models.FeeGrade",
        "BookingStatusEnum": "booking.models.Booking.Status",
        "ProposalStatusEnum": "booking.models.TimeProposal.Status",
        "OpenAnswerStatusEnum": "booking.models.OpenAnswer.Status",
        "ActivityStatusEnum": "activity.models.Activity.Status",
        "AttendanceStatusEnum": "activity.models.Attendance.Status",
        "QuestionStatusEnum": "activity.models.Question.Status",
        "ExcellentCaseStatusEnum": "activity.models.ExcellentCase.Status",
        "DayRuleKindEnum": "activity.models.DayRule.Kind",
        "AttachmentKindEnum": "activity.models.Attachment.Kind",
        "RatingSourceEnum": "evaluation.models.Rating.Source",
        "EvaluationRunStatusEnum": "evaluation.models.EvaluationRun.Status",
        "EvaluationOutcomeEnum": "evaluation.models.Outcome",
        "IncidentHandlingEnum": "evaluation.models.DisciplineIncident.Handling",
        "RecordEntryStatusEnum": "records.models.RecordEntry.Status",
        "RecordEntryKindEnum": "records.models.RecordEntry.Kind",
        "AppraisalGradeEnum": "records.models.AppraisalGrade",
    },
}

# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker the site runs tasks in-process (embedded mode).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A task whose worker dies mid-run is delivered again; tasks are written to be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Fail fast when the broker is down: the outbox row is already committed and the periodic
# resend delivers it later, so a web request must not hang on a dead broker.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # A task taken by a worker that died unacknowledged goes back to the queue after this long.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How often a worker looks for such messages (interval × throttle seconds).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Each app lists its periodic tasks in a plain ``<app>/beat.py`` (no Django imports there).
CELERY_BEAT_SCHEDULE = {}
for _app in LOCAL_APPS:
    try:
        _beat = import_module(f"{_app}.beat")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_app}.beat":
            raise
        continue
    CELERY_BEAT_SCHEDULE.update(_beat.SCHEDULE)

# --- Notifications -----------------------------------------------------------------------------
NOTIFICATION_CHANNELS = {
    "inapp": "notifications.channels.InAppChannel",
    "email": "notifications.channels.EmailChannel",
    "webhook": "notifications.channels.WebhookChannel",
}
NOTIFICATION_DEFAULT_CHANNELS = ["inapp", "email"]
NOTIFICATION_MAX_ATTEMPTS = 8
NOTIFICATION_WEBHOOK_TIMEOUT = 5
# A pending delivery younger than this is left to the task queued on commit.
NOTIFICATION_RESEND_AFTER = timedelta(seconds=30)

# --- Recommender (pool/recommender; docs/recommender.md) ---------------------------------------
# Final score = topic fit (+ category boost) - availability penalty + rating - load, with these weights.
RECOMMENDER = {
    "WEIGHTS": {"topic": 1.0, "category": 0.1, "availability": 1.0, "rating": 0.1, "load": 0.1},
    "MIN_FIT": 0.15,  # topic fit (best instructor = 1) below which nobody is recommended
    "RATING_PRIOR": 5,  # pseudo-ratings at the pool mean: a few ratings move the score little
    "RATING_YEARS": 2,  # this year's and last year's ratings count
    "LOAD_HALF": 2,  # lectures around the date at which half the load weight applies
}

# --- Evaluation (综合评价, 动态管理): read through evaluation.conf, which fills in the defaults ---------
EVALUATION = {
    # Days a delivered lecture stays open for ratings.
    "WINDOW_DAYS": env.int("EVALUATION_WINDOW_DAYS", default=14),
    # k of the shrunk score (n·mean + k·pool mean) / (n + k): ratings the pool mean counts as.
    "PRIOR_WEIGHT": 5,
    # Yearly evaluation, on the shrunk score (1–5): below REMOVE_BELOW with at least
    # MIN_RATINGS_TO_REMOVE ratings → removal; below WARN_BELOW → warning.
    "REMOVE_BELOW": 3.0,
    "WARN_BELOW": 3.5,
    "MIN_RATINGS_TO_REMOVE": 10,
    # 贡献突出: the top share of the rated instructors, each with at least this many lectures that year.
    "REWARD_SHARE": 0.10,
    "REWARD_MIN_LECTURES": 3,
    # One-time links a lecture may have at most.
    "MAX_LINKS": 300,
}

# --- Personal information at rest (see orgs/crypto.py) ---------------------------------------
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
FIELD_HASH_KEY = env("FIELD_HASH_KEY", default="")

# --- Demo --------------------------------------------------------------------------------------
DEMO_MODE = env.bool("DJANGO_DEMO_MODE", default=False)
SITE_URL = env("DJANGO_SITE_URL", default="http://127.0.0.1:8000")
SITE_NAME = _("Pioneer Instructor Pool")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}
