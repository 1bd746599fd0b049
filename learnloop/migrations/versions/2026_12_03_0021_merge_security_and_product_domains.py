"""Join the branches of this round (auth, H5P quotas, LRS clients, partners, assignments,
LTI, H5P hub and upgrades) into one head

Revision ID: 0021
Revises: 0010, 0011, 0012, 0015, 0016, 0018, 0020
Create Date: 2026-12-03
"""

from collections.abc import Sequence

revision: str = "0021"
down_revision: str | Sequence[str] | None = (
    "0010",
    "0011",
    "0012",
    "0015",
    "0016",
    "0018",
    "0020",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
