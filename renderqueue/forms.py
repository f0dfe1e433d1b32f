"""The dashboard's "new render" form. It only shapes input; the queue API validates and creates."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from renderqueue.models import Composition, ImageFormat, JobPriority, RenderJob, RenderJobType, SizePreset
from renderqueue.queue import InvalidRenderRequest, get_render_queue

# Which form field shows an error the queue API reports for a request field.
FIELD_FOR_ERROR = {
    "composition_id": "composition",
    "composition_ids": "compositions",
    "presets": "presets",
    "priority": "priority",
    "options.format": "format",
    "options.quality": "quality",
}


class NewRenderForm(forms.Form):
    job_type = forms.ChoiceField(choices=RenderJobType.choices, initial=RenderJobType.CAMPAIGN, label="Type")
    composition = forms.ModelChoiceField(
        Composition.objects.all(), required=False, help_text="For single and campaign renders."
    )
    compositions = forms.ModelMultipleChoiceField(
        Composition.objects.all(),
        required=False,
        help_text="For batch renders.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    presets = forms.ModelMultipleChoiceField(
        SizePreset.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For campaign renders; none ticked means every preset.",
    )
    template = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text='For template renders: {"id", "dimensions": {"width", "height"}, "content": {…}}.',
    )
    priority = forms.TypedChoiceField(choices=JobPriority.choices, coerce=int, initial=JobPriority.NORMAL)
    format = forms.ChoiceField(choices=ImageFormat.choices, initial=ImageFormat.PNG)
    quality = forms.IntegerField(min_value=1, max_value=100, initial=90)

    def clean_template(self) -> dict[str, Any] | None:
        text = self.cleaned_data["template"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("job_type")
        needs = {
            RenderJobType.SINGLE: ("composition", "Pick the composition to render."),
            RenderJobType.CAMPAIGN: ("composition", "Pick the composition to render in each size."),
            RenderJobType.BATCH: ("compositions", "Pick at least one composition."),
            RenderJobType.TEMPLATE: ("template", "Paste the template JSON."),
        }
        if kind in needs:
            field, message = needs[kind]
            if not data.get(field) and field not in self.errors:
                self.add_error(field, message)
        return data

    def save(self) -> RenderJob | None:
        """Create the job, or put the queue API's validation errors on the form and return None."""
        data = self.cleaned_data
        queue = get_render_queue()
        options = {"format": data["format"], "quality": data["quality"]}
        args = (options, data["priority"], {"source": "dashboard"})
        try:
            kind = data["job_type"]
            if kind == RenderJobType.SINGLE:
                return queue.add_single_render_job(data["composition"].id, *args)
            if kind == RenderJobType.BATCH:
                return queue.add_batch_render_job([c.id for c in data["compositions"]], *args)
            if kind == RenderJobType.TEMPLATE:
                return queue.add_template_render_job(data["template"], *args)
            presets = [p.name for p in data["presets"]] or "all"
            return queue.add_campaign_render_job(data["composition"].id, *args, presets=presets)
        except InvalidRenderRequest as exc:
            for field, messages in exc.message_dict.items():
                target = FIELD_FOR_ERROR.get(field) or ("template" if field.startswith("template") else None)
                for message in messages:
                    self.add_error(target, f"{field}: {message}" if target in (None, "template") else message)
            return None
