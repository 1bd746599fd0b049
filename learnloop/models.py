"""Every table's model, imported once so ``Base.metadata`` is complete (Alembic, tests).

Each domain adds its ``models`` module here.
"""

from learnloop.analytics import models as analytics_models  # noqa: F401
from learnloop.auth.models import User
from learnloop.cmi5 import models as cmi5_models  # noqa: F401
from learnloop.db import Base
from learnloop.h5p import models as h5p_models  # noqa: F401
from learnloop.h5p import player_models as h5p_player_models  # noqa: F401
from learnloop.h5p.hub import models as h5p_hub_models  # noqa: F401
from learnloop.h5p.quality import models as h5p_quality_models  # noqa: F401
from learnloop.h5p.upgrades import models as h5p_upgrade_models  # noqa: F401
from learnloop.jobs.models import Job
from learnloop.lti import models as lti_models  # noqa: F401
from learnloop.partners import models as partner_models  # noqa: F401
from learnloop.plans.models import Plan
from learnloop.xapi.activity_models import XapiActivity
from learnloop.xapi.document_models import XapiDocument
from learnloop.xapi.models import LrsClient, StatementActivity, StatementAgent, StatementRow

__all__ = [
    "Base",
    "Job",
    "LrsClient",
    "Plan",
    "StatementActivity",
    "StatementAgent",
    "StatementRow",
    "User",
    "XapiActivity",
    "XapiDocument",
]
