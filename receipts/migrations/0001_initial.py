"""Receipt, moved here from the workflow app: its table keeps its name and rows, and its
content type is relabelled."""

import django.db.models.deletion
import uuid
from django.db import migrations, models


def relabel(apps, schema_editor, source="workflow", target="receipts"):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=source, model="receipt").update(app_label=target)


def relabel_back(apps, schema_editor):
    relabel(apps, schema_editor, source="receipts", target="workflow")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('campaigns', '0001_initial'),
        ('submissions', '0007_campaign_models_moved'),
        ('workflow', '0009_campaign_models_moved'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='Receipt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='verification code')),
                ('number', models.PositiveIntegerField(verbose_name='number')),
                ('unit_code', models.CharField(max_length=8, verbose_name='unit code')),
                ('unit_name', models.CharField(max_length=200, verbose_name='unit')),
                ('actor_name', models.CharField(max_length=300, verbose_name='actor')),
                ('actor_username', models.CharField(max_length=150, verbose_name='username')),
                ('role', models.CharField(choices=[('drafter', 'Drafter'), ('department_reviewer', 'Department reviewer'), ('provincial_signatory', 'Provincial signatory'), ('ministry_checker', 'Ministry checker'), ('ministry_coordinator', 'Ministry coordinator'), ('administrator', 'Administrator')], max_length=32, verbose_name='role')),
                ('action', models.CharField(choices=[('submit', 'Submit for review'), ('approve', 'Approve'), ('sign', 'Sign off'), ('accept', 'Accept'), ('return', 'Return'), ('consolidate', 'Consolidate'), ('reopen', 'Reopen')], max_length=16, verbose_name='action')),
                ('from_stage', models.CharField(choices=[('drafting', 'Drafting'), ('department_review', 'Department review'), ('provincial_signoff', 'Provincial sign-off'), ('ministry_check', 'Ministry check'), ('consolidation', 'Awaiting consolidation'), ('consolidated', 'Consolidated')], max_length=32, verbose_name='from')),
                ('to_stage', models.CharField(choices=[('drafting', 'Drafting'), ('department_review', 'Department review'), ('provincial_signoff', 'Provincial sign-off'), ('ministry_check', 'Ministry check'), ('consolidation', 'Awaiting consolidation'), ('consolidated', 'Consolidated')], max_length=32, verbose_name='to')),
                ('at', models.DateTimeField(verbose_name='at')),
                ('reason', models.TextField(blank=True, verbose_name='reason')),
                ('snapshot_sha256', models.CharField(max_length=64, verbose_name='SHA-256 of the snapshot')),
                ('previous_hash', models.CharField(blank=True, max_length=64, verbose_name='hash of the previous receipt')),
                ('hash', models.CharField(max_length=64, unique=True, verbose_name='hash of this receipt')),
                ('pdf', models.FileField(blank=True, max_length=300, upload_to='receipts/', verbose_name='PDF')),
                ('pdf_sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256 of the PDF')),
                ('rendered_at', models.DateTimeField(blank=True, null=True, verbose_name='rendered at')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='receipts', to='campaigns.campaign')),
                ('record', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='receipt', to='workflow.auditrecord')),
                ('submission', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='receipts', to='submissions.submission')),
            ],
            options={
                'verbose_name': 'receipt',
                'verbose_name_plural': 'receipts',
                'db_table': 'workflow_receipt',
                'ordering': ['campaign', 'number'],
                'constraints': [models.UniqueConstraint(fields=('campaign', 'number'), name='receipt_number_unique')],
            },
        ),
    ],
            database_operations=[migrations.RunPython(relabel, relabel_back)],
        ),
    ]
