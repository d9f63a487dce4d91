"""The campaign models, moved here from the submissions app: only Django's picture of them
changes. Their tables keep their names (Meta.db_table) and rows; their content types, which
django-guardian's per-unit permissions point at, are relabelled, so granted roles survive."""

import django.db.models.deletion
from django.db import migrations, models



MOVED = [
    "region",
    "administrativeunit",
    "campaign",
    "footnote",
    "outlinesection",
    "outlinepoint",
    "problemkind",
    "templaterow",
    "templatecolumn",
]


def relabel(apps, schema_editor, source="submissions", target="campaigns"):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=source, model__in=MOVED).update(app_label=target)


def relabel_back(apps, schema_editor):
    relabel(apps, schema_editor, source="campaigns", target="submissions")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("submissions", "0006_text_limits"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='AdministrativeUnit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=8, verbose_name='administrative code')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('kind', models.CharField(choices=[('province', 'Province'), ('city', 'Centrally-run city')], max_length=16, verbose_name='kind')),
                ('valid_from', models.DateField(verbose_name='valid from')),
                ('valid_to', models.DateField(blank=True, null=True, verbose_name='valid to (last day)')),
                ('legal_basis', models.CharField(blank=True, max_length=300, verbose_name='legal basis')),
            ],
            options={
                'verbose_name': 'administrative unit',
                'verbose_name_plural': 'administrative units',
                'db_table': 'submissions_administrativeunit',
                'ordering': ['code', 'valid_from'],
                'permissions': [('draft_unit', "Can draft the unit's submissions"), ('review_unit', "Can review the unit's submissions for the department"), ('signoff_unit', "Can sign off the unit's submissions for the province"), ('check_unit', "Can check the unit's submissions for the ministry"), ('coordinate_campaign', 'Can monitor and consolidate every unit')],
            },
        ),
        migrations.CreateModel(
            name='Region',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=16, unique=True, verbose_name='code')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
            ],
            options={
                'verbose_name': 'region',
                'verbose_name_plural': 'regions',
                'db_table': 'submissions_region',
                'ordering': ['order', 'code'],
            },
        ),
        migrations.CreateModel(
            name='Campaign',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=64, unique=True, verbose_name='code')),
                ('number', models.CharField(max_length=64, verbose_name='letter number')),
                ('issuer', models.CharField(max_length=200, verbose_name='issuing body')),
                ('issuer_department', models.CharField(blank=True, max_length=200, verbose_name='issuing department')),
                ('issued_on', models.DateField(verbose_name='issued on')),
                ('place', models.CharField(max_length=100, verbose_name='place of issue')),
                ('signer_title', models.CharField(blank=True, max_length=200, verbose_name="signer's title")),
                ('signer_name', models.CharField(blank=True, max_length=200, verbose_name='signer')),
                ('subject', models.TextField(verbose_name='subject')),
                ('report_title', models.TextField(verbose_name='appendix title')),
                ('period_start', models.PositiveSmallIntegerField(verbose_name='period from (year)')),
                ('period_end', models.PositiveSmallIntegerField(verbose_name='period to (year)')),
                ('addressees', models.TextField(verbose_name='addressees')),
                ('deadline', models.DateField(verbose_name='deadline')),
                ('deadline_cutoff', models.CharField(choices=[('end_of_day', 'End of the deadline day'), ('start_of_day', 'Start of the deadline day')], default='end_of_day', max_length=16, verbose_name='deadline cut-off')),
                ('amount_unit', models.CharField(max_length=50, verbose_name='unit of amounts')),
                ('receipts_issued', models.PositiveIntegerField(default=0, editable=False, verbose_name='receipts issued')),
                ('units', models.ManyToManyField(related_name='campaigns', to='campaigns.administrativeunit', verbose_name='reporting units')),
            ],
            options={
                'verbose_name': 'campaign',
                'verbose_name_plural': 'campaigns',
                'db_table': 'submissions_campaign',
                'ordering': ['-issued_on'],
            },
        ),
        migrations.CreateModel(
            name='Footnote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('marker', models.CharField(max_length=8, verbose_name='marker')),
                ('text', models.TextField(verbose_name='text')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='footnotes', to='campaigns.campaign')),
            ],
            options={
                'verbose_name': 'footnote',
                'verbose_name_plural': 'footnotes',
                'db_table': 'submissions_footnote',
                'ordering': ['order'],
            },
        ),
        migrations.CreateModel(
            name='OutlineSection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=16, verbose_name='number')),
                ('title', models.TextField(verbose_name='title')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sections', to='campaigns.campaign')),
            ],
            options={
                'verbose_name': 'outline section',
                'verbose_name_plural': 'outline sections',
                'db_table': 'submissions_outlinesection',
                'ordering': ['order'],
            },
        ),
        migrations.CreateModel(
            name='OutlinePoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=16, verbose_name='code')),
                ('marker', models.CharField(blank=True, max_length=8, verbose_name='marker')),
                ('text', models.TextField(verbose_name='text')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                ('required', models.BooleanField(default=True, verbose_name='required')),
                ('section', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='points', to='campaigns.outlinesection')),
            ],
            options={
                'verbose_name': 'outline point',
                'verbose_name_plural': 'outline points',
                'db_table': 'submissions_outlinepoint',
                'ordering': ['section__order', 'order'],
            },
        ),
        migrations.CreateModel(
            name='ProblemKind',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=64, verbose_name='code')),
                ('label', models.CharField(max_length=300, verbose_name='label')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='problem_kinds', to='campaigns.campaign')),
            ],
            options={
                'verbose_name': 'problem kind',
                'verbose_name_plural': 'problem kinds',
                'db_table': 'submissions_problemkind',
                'ordering': ['order'],
            },
        ),
        migrations.AddField(
            model_name='administrativeunit',
            name='region',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='units', to='campaigns.region', verbose_name='region'),
        ),
        migrations.CreateModel(
            name='TemplateColumn',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(max_length=64, verbose_name='key')),
                ('label', models.TextField(verbose_name='label')),
                ('level', models.PositiveSmallIntegerField(verbose_name='header level')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                ('kind', models.CharField(choices=[('header', 'Header'), ('row_number', 'Row number'), ('row_label', 'Row label'), ('text', 'Text'), ('amount', 'Amount'), ('sum', 'Sum of the columns below'), ('percent', 'Percentage'), ('flag', 'Yes / no')], max_length=16, verbose_name='kind')),
                ('origin', models.CharField(choices=[('letter', "The letter's header"), ('footnote', 'Detail asked for by a footnote')], max_length=16, verbose_name='origin')),
                ('field', models.CharField(blank=True, max_length=64, verbose_name='measure')),
                ('reason_field', models.CharField(blank=True, max_length=64, verbose_name='reason measure')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='columns', to='campaigns.campaign')),
                ('footnote', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='columns', to='campaigns.footnote')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='children', to='campaigns.templatecolumn')),
            ],
            options={
                'verbose_name': 'appendix column',
                'verbose_name_plural': 'appendix columns',
                'db_table': 'submissions_templatecolumn',
                'ordering': ['order'],
            },
        ),
        migrations.CreateModel(
            name='TemplateRow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=16, verbose_name='code')),
                ('stt', models.CharField(blank=True, max_length=8, verbose_name='number shown (STT)')),
                ('label', models.TextField(verbose_name='label')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='campaigns.campaign')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='children', to='campaigns.templaterow')),
            ],
            options={
                'verbose_name': 'appendix row',
                'verbose_name_plural': 'appendix rows',
                'db_table': 'submissions_templaterow',
                'ordering': ['order'],
            },
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start'))), name='campaign_period_ordered'),
        ),
        migrations.AddConstraint(
            model_name='footnote',
            constraint=models.UniqueConstraint(fields=('campaign', 'marker'), name='footnote_marker_unique'),
        ),
        migrations.AddConstraint(
            model_name='outlinesection',
            constraint=models.UniqueConstraint(fields=('campaign', 'number'), name='section_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='outlinepoint',
            constraint=models.UniqueConstraint(fields=('section', 'code'), name='point_code_unique'),
        ),
        migrations.AddConstraint(
            model_name='problemkind',
            constraint=models.UniqueConstraint(fields=('campaign', 'code'), name='problem_kind_unique'),
        ),
        migrations.AddConstraint(
            model_name='administrativeunit',
            constraint=models.UniqueConstraint(fields=('code', 'valid_from'), name='unit_code_period_unique'),
        ),
        migrations.AddConstraint(
            model_name='administrativeunit',
            constraint=models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_to__gte', models.F('valid_from')), _connector='OR'), name='unit_validity_ordered'),
        ),
        migrations.AddConstraint(
            model_name='templatecolumn',
            constraint=models.UniqueConstraint(fields=('campaign', 'key'), name='column_key_unique'),
        ),
        migrations.AddConstraint(
            model_name='templaterow',
            constraint=models.UniqueConstraint(fields=('campaign', 'code'), name='row_code_unique'),
        ),
    ],
            database_operations=[migrations.RunPython(relabel, relabel_back)],
        ),
    ]
