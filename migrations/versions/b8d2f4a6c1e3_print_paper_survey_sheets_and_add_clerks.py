"""Print paper survey sheets and add clerks

`paper_prints` records each printing (who, office, procedure, how many sheets, for a dossier or not);
`paper_sheets` holds each printed sheet's one-time code and its invitation (channel `paper`). Users may now have
the role `clerk` (keys in paper sheets for one office), which, like an official, needs an office.

Revision ID: b8d2f4a6c1e3
Revises: 019d23e48c4a
Create Date: 2026-11-29 01:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d2f4a6c1e3'
down_revision = '019d23e48c4a'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def _roles(*roles):
    return "role IN (" + ", ".join(repr(role) for role in roles) + ")"


def upgrade():
    op.create_table('paper_prints',
    sa.Column('id', BigId, nullable=False),
    sa.Column('printed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('sheets', sa.Integer(), nullable=False),
    sa.Column('for_dossier', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_paper_prints_office_id_offices')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_paper_prints_procedure_id_procedures')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_paper_prints_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_prints'))
    )
    with op.batch_alter_table('paper_prints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_prints_printed_at'), ['printed_at'], unique=False)

    op.create_table('paper_sheets',
    sa.Column('id', BigId, nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('invitation_id', BigId, nullable=False),
    sa.Column('print_id', BigId, nullable=False),
    sa.Column('for_dossier', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_paper_sheets_invitation_id_invitations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['print_id'], ['paper_prints.id'], name=op.f('fk_paper_sheets_print_id_paper_prints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_sheets')),
    sa.UniqueConstraint('code', name=op.f('uq_paper_sheets_code')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_paper_sheets_invitation_id'))
    )
    with op.batch_alter_table('paper_sheets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_sheets_print_id'), ['print_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.drop_constraint(op.f('ck_users_official_office'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), _roles('official', 'researcher', 'admin', 'clerk'))
        batch_op.create_check_constraint(
            op.f('ck_users_official_office'), "role NOT IN ('official', 'clerk') OR office_id IS NOT NULL"
        )


def downgrade():
    op.execute("DELETE FROM users WHERE role = 'clerk'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_official_office'), type_='check')
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), _roles('official', 'researcher', 'admin'))
        batch_op.create_check_constraint(op.f('ck_users_official_office'), "role <> 'official' OR office_id IS NOT NULL")

    with op.batch_alter_table('paper_sheets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_sheets_print_id'))
    op.drop_table('paper_sheets')
    with op.batch_alter_table('paper_prints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_prints_printed_at'))
    op.drop_table('paper_prints')
