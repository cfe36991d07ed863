"""The home-visit form, made for a phone: date, findings, next date, case, photos."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huhang.cases.visits.services import Location
from huhang.core import uploads
from huhang.core.forms import DateInput, Form

# The pictures core.uploads accepts (the service checks the bytes against the name there).
PHOTO_EXTENSIONS = tuple(
    ext for ext, mime in uploads.DOCUMENT_TYPES.items() if mime.startswith("image/")
)
MAX_PHOTOS = 10


def _six_places(value: Decimal | None) -> Decimal | None:
    """A browser's coordinate (15 or more digits) rounded to the 6 places stored (~0.1 m)."""
    return None if value is None else value.quantize(Decimal("0.000001"), ROUND_HALF_EVEN)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Zero or more image files from one <input type=file multiple>; cleans to a list."""

    def __init__(self, *args, **kwargs):
        accept = ",".join(f".{e}" for e in PHOTO_EXTENSIONS)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, (list, tuple)) else [data]
        uploads = [u for u in uploads if u]
        if not uploads and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        single = super().clean
        return [single(u, initial) for u in uploads]


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"#{obj.pk} {obj.get_status_display()} · {obj.summary[:30]}"


class VisitForm(Form):
    visited_on = forms.DateField(label=_("探访日期"), widget=DateInput())
    findings = forms.CharField(
        label=_("探访情况"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("儿童生活、学习、健康与监护情况，存在的问题和需要的帮助"),
    )
    next_due = forms.DateField(label=_("下次探访日期"), required=False, widget=DateInput())
    case = CaseChoiceField(
        label=_("关联个案"), queryset=None, required=False, empty_label=_("不关联个案")
    )
    photos = MultiplePhotoField(
        label=_("照片"),
        help_text=_("可选，可多选；JPG、PNG 或 WEBP，每张不超过10MB"),
    )
    # Filled by the phone's script (core/static/huhang/offline.js), never typed: the visit's own
    # id for the outbox, and the location when the visitor ticks the box (the browser asks).
    share_location = forms.BooleanField(
        label=_("附上手机当前位置"),
        required=False,
        help_text=_("可不勾选；勾选后浏览器会询问定位权限，位置与精度随探访保存。"),
    )
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    latitude = forms.DecimalField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    accuracy_m = forms.IntegerField(
        required=False, min_value=0, max_value=1_000_000, widget=forms.HiddenInput
    )
    taken_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, cases, interval: int, **kwargs):
        """`cases`: the child's open cases the user may see (the only ones a visit may name);
        `interval`: the months the next visit falls after this one unless the user says."""
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["visited_on"].initial = today
        # The phone's date picker offers no future day; the service refuses one anyway.
        self.fields["visited_on"].widget.attrs["max"] = today.isoformat()
        self.fields["next_due"].help_text = _("留空则按探访规则计算：本次探访后 %(n)s 个月") % {
            "n": interval
        }
        cast(forms.ModelChoiceField, self.fields["case"]).queryset = cases

    def clean_latitude(self):
        return _six_places(self.cleaned_data.get("latitude"))

    def clean_longitude(self):
        return _six_places(self.cleaned_data.get("longitude"))

    def clean(self):
        data = super().clean() or {}
        parts = [data.get(k) for k in ("latitude", "longitude", "accuracy_m")]
        if any(p is not None for p in parts) and any(p is None for p in parts):
            raise forms.ValidationError(_("位置不完整：需要纬度、经度和精度。"), code="location")
        return data

    def service_kwargs(self) -> dict:
        """The cleaned data as services.visit_record takes it."""
        data = dict(self.cleaned_data)
        lat, lon, accuracy = (data.pop(k) for k in ("latitude", "longitude", "accuracy_m"))
        data.pop("share_location", None)
        data["location"] = None if lat is None else Location(lat, lon, accuracy)
        return data

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("一次最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, code="too_many"
            )
        for photo in photos:
            name = photo.name or ""
            extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            if extension not in PHOTO_EXTENSIONS:
                raise forms.ValidationError(
                    _("“%(name)s”不是照片：只能上传 JPG、PNG 或 WEBP 图片。") % {"name": name},
                    code="not_photo",
                )
        return photos
