"""Count one-time invitations issued and answered per month, office, procedure and channel; mark demo invitations

Revision ID: a7c3e5d1f9b2
Revises: c74fe67d7671
Create Date: 2026-11-25 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e5d1f9b2'
down_revision = 'c74fe67d7671'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invitation_rollups',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('issued', sa.BigInteger(), nullable=False),
    sa.Column('answered', sa.BigInteger(), nullable=False),
    sa.Column('not_satisfied', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_invitation_rollups_office_id_offices')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_invitation_rollups_procedure_id_procedures')),
    sa.PrimaryKeyConstraint('month', 'office_id', 'procedure_id', 'channel', name=op.f('pk_invitation_rollups'))
    )
    with op.batch_alter_table('invitation_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_invitation_rollups_office_month', ['office_id', 'month'], unique=False)

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_demo', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Count the invitations already issued, so installations that hold some agree at once. Months are in
    # Vietnamese time (UTC+7 all year: Việt Nam has no daylight saving time).
    if op.get_bind().dialect.name == "postgresql":
        month = "to_char(i.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')"
    else:
        month = "strftime('%Y-%m', i.created_at, '+7 hours')"
    op.execute(
        "INSERT INTO invitation_rollups (month, office_id, procedure_id, channel, issued, answered, not_satisfied) "
        f"SELECT {month}, i.office_id, i.procedure_id, i.channel, COUNT(*), "
        "SUM(CASE WHEN i.used_at IS NOT NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.rating <= 3 THEN 1 ELSE 0 END) "
        "FROM invitations i LEFT JOIN responses r ON r.id = i.response_id "
        "WHERE NOT i.is_public AND i.procedure_id IS NOT NULL "
        f"GROUP BY {month}, i.office_id, i.procedure_id, i.channel"
    )


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('is_demo')

    with op.batch_alter_table('invitation_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_invitation_rollups_office_month')

    op.drop_table('invitation_rollups')
