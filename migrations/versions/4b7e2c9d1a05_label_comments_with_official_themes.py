"""Label comments with official themes and keep officials' corrections

Revision ID: 4b7e2c9d1a05
Revises: b8d2f4a6c1e3
Create Date: 2026-11-29 01:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4b7e2c9d1a05'
down_revision = 'b8d2f4a6c1e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('comment_labels',
    sa.Column('response_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('theme2', sa.String(length=40), nullable=True),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('model_version', sa.String(length=60), nullable=True),
    sa.Column('labelled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_comment_labels_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', name=op.f('pk_comment_labels'))
    )
    with op.batch_alter_table('comment_labels', schema=None) as batch_op:
        batch_op.create_index('ix_comment_labels_theme', ['theme'], unique=False)
        batch_op.create_index('ix_comment_labels_theme2', ['theme2'], unique=False)

    op.create_table('theme_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('old_theme', sa.String(length=40), nullable=True),
    sa.Column('old_theme2', sa.String(length=40), nullable=True),
    sa.Column('new_theme', sa.String(length=40), nullable=False),
    sa.Column('new_theme2', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_theme_corrections_response_id_responses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_theme_corrections_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_corrections'))
    )
    with op.batch_alter_table('theme_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_corrections_corrected_at'), ['corrected_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_theme_corrections_response_id'), ['response_id'], unique=False)


def downgrade():
    with op.batch_alter_table('theme_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_corrections_response_id'))
        batch_op.drop_index(batch_op.f('ix_theme_corrections_corrected_at'))
    op.drop_table('theme_corrections')
    with op.batch_alter_table('comment_labels', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_labels_theme2')
        batch_op.drop_index('ix_comment_labels_theme')
    op.drop_table('comment_labels')
