"""事業・プログラム and 催し. The events helper extends this module (sessions, registrations, ...)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import Area, Theme


class Program(models.Model):
    """A program of the center, with a stable code that reports and URLs rely on."""

    code = models.SlugField(_("コード"), max_length=40, unique=True, help_text=_("例: mirai_taiwa（変更しないでください）"))
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("説明"), blank=True)
    journey_step = models.PositiveSmallIntegerField(
        _("担い手育成の段階"),
        null=True,
        blank=True,
        help_text=_("ミライ対話=1, ALP=2, プロジェクト登録=3, プロジェクト支援=4。段階のない事業は空欄。"),
    )
    order = models.PositiveIntegerField(_("並び順"), default=100)
    is_active = models.BooleanField(_("実施中"), default=True)

    class Meta:
        verbose_name = _("事業（プログラム）")
        verbose_name_plural = _("事業（プログラム）")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """催し: one event (or a course of several sessions) of a program."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="events", verbose_name=_("事業"))
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    venue = models.CharField(_("会場"), max_length=200, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("地区"), null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("テーマ"), related_name="events", blank=True)
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True, help_text=_("空欄は定員なし"))
    is_public = models.BooleanField(_("公開"), default=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("催し")
        verbose_name_plural = _("催し")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])
