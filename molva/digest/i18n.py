"""The digest's words in Russian and English. Templates call ``t("key")``; a missing key fails loudly in tests."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # key: (ru, en)
    "title": ("Еженедельный обзор репутации", "Weekly reputation digest"),
    "week": ("неделя", "week"),
    "generated": ("Сформировано", "Generated"),
    "toc": ("Содержание", "Contents"),
    "summary": ("Главное за неделю", "This week in brief"),
    "headline": ("Ключевые показатели", "Headline figures"),
    "headline_note": (
        "Неделя против предыдущей и против конкурентов. ▲▼ — изменение значимо (95 %), ○ — в пределах шума.",
        "This week against last week and against competitors. ▲▼: the change is significant (95 %); ○: within noise.",
    ),
    "sentiment_base": (
        "Тональность: {n_opinion} с мнением, {n_no_opinion} без мнения (в доли не входят).",
        "Sentiment: {n_opinion} items with an opinion, {n_no_opinion} without one (in no share).",
    ),
    "metric": ("Показатель", "Metric"),
    "this_week": ("Эта неделя", "This week"),
    "last_week": ("Прошлая неделя", "Last week"),
    "change": ("Изменение", "Change"),
    "ci": ("95 % интервал", "95 % interval"),
    "m_n_items": ("Отзывы и упоминания", "Reviews and mentions"),
    "m_avg_rating": ("Средняя оценка (1–5)", "Average rating (1–5)"),
    "m_csat": ("CSAT (доля 4–5★)", "CSAT (share of 4–5★)"),
    "m_nps_proxy": ("NPS-прокси (−100…100)", "NPS proxy (−100…100)"),
    "m_net_sentiment": ("Чистая тональность (−100…100)", "Net sentiment (−100…100)"),
    "m_reply_rate": ("Доля ответов на отзывы", "Reply rate"),
    "m_share_negative": ("Доля негативных", "Share negative"),
    "m_share_of_voice": ("Доля голоса", "Share of voice"),
    "significant": ("значимо", "significant"),
    "noise": ("в пределах шума", "within noise"),
    "too_few": ("мало данных", "too few data"),
    "better": ("лучше", "better"),
    "worse": ("хуже", "worse"),
    "trends": ("Динамика", "Trends"),
    "trends_note": ("Последние {weeks}, по площадкам.", "The last {weeks}, by platform."),
    "trend_numbers": ("Цифры за графиками (все площадки)", "The numbers behind the charts (all platforms)"),
    "week_of": ("Неделя с", "Week of"),
    "chart_rating": ("Средняя оценка", "Average rating"),
    "chart_sentiment": ("Чистая тональность", "Net sentiment"),
    "chart_volume": ("Количество отзывов и упоминаний", "Reviews and mentions"),
    "all_platforms": ("все площадки", "all platforms"),
    "rising": ("Растущие жалобы", "Rising complaints"),
    "rising_note": (
        "Темы жалоб этой недели: сначала аномалии, затем по росту к среднему за 4 предыдущие недели.",
        "This week's complaint topics: anomalies first, then by the rise over the previous 4 weeks' average.",
    ),
    "topic": ("Тема", "Topic"),
    "complaints": ("Жалобы", "Complaints"),
    "praise_n": ("Похвала", "Praise"),
    "vs_avg4": ("к среднему за 4 нед.", "vs 4-week average"),
    "weeks_trend": ("8–12 недель", "8–12 weeks"),
    "anomaly": ("аномалия", "anomaly"),
    "new": ("новое", "new"),
    "no_complaints": ("На этой неделе жалоб по темам нет.", "No topic complaints this week."),
    "praise": ("За что хвалят", "Top praise"),
    "no_praise": ("На этой неделе похвалы по темам нет.", "No topic praise this week."),
    "quote_from": ("отзыв", "review"),
    "competitors": ("Сравнение с конкурентами", "Competitor comparison"),
    "competitors_note": (
        "За 4 недели по {week} включительно. Разница — {brand} минус конкурент; ▲▼ — значимо (p < 0,05, n ≥ 10).",
        "Over the 4 weeks to {week}. Difference = {brand} minus the competitor; ▲▼: significant (p < 0.05, n ≥ 10).",
    ),
    "brand": ("Бренд", "Brand"),
    "difference": ("Разница", "Difference"),
    "chart_competitors": ("Бренды за 4 недели", "Brands over 4 weeks"),
    "topic_complaints_cmp": ("Доля жалоб по темам за 4 недели", "Complaint share by topic over 4 weeks"),
    "no_competitors": ("Данных о конкурентах за эту неделю нет.", "No competitor data for this week."),
    "emerging": ("Новые темы", "Emerging topics"),
    "emerging_note": (
        "Темы, найденные кластеризацией вне таксономии, и темы, впервые появившиеся в отзывах о бренде, за 4 недели: "
        "не меньше 5 предложений в 3 разных отзывах.",
        "Topics found by clustering outside the taxonomy, and topics the brand's reviews mention for the first time, "
        "over 4 weeks: at least 5 sentences in 3 different reviews.",
    ),
    "mentions": ("Упоминания", "Mentions"),
    "no_emerging": ("Новых тем на этой неделе нет.", "No emerging topics this week."),
    "alerts": ("Сигналы", "Alerts"),
    "alerts_note": (
        "Всплеск жалоб: не меньше 5 жалоб и p < 0,01 по Пуассону при темпе 4 предыдущих недель; "
        "плюс сбои сбора данных.",
        "Complaint spikes: at least 5 complaints and Poisson p < 0.01 at the previous 4 weeks' rate; "
        "plus crawl failures.",
    ),
    "alert_crawl": ("Сбор данных не удался", "Crawl failed"),
    "alert_competitor": ("у конкурента", "competitor"),
    "no_alerts": ("Сигналов нет: жалобы в пределах обычного.", "No alerts: complaints are within their usual range."),
    "recommendations": ("Рекомендации", "Recommendations"),
    "recommendations_note": (
        "Темы по оценке роста средней оценки, если устранить их жалобы: эффект за последние 4 недели, продолженный "
        "изменением против 4 недель до того, с 95 % интервалом. У каждой — команда и следующий шаг.",
        "Topics by the estimated rise of the average rating if their complaints were fixed: the last 4 weeks' effect "
        "continued by its change against the 4 weeks before, with a 95 % interval. Each names its team and next step.",
    ),
    "what_customers_say": ("Что говорят клиенты", "What customers say"),
    "impact_estimate": ("Оценка эффекта", "Impact estimate"),
    "team": ("Команда", "Team"),
    "no_recommendations": ("Жалоб за 4 недели нет — рекомендаций нет.", "No complaints in 4 weeks: nothing to fix."),
    "rec_lift": (
        "средняя оценка бренда выросла бы примерно на {lift}★, если бы эти отзывы были оценены как остальные",
        "the brand's average rating would rise by {lift}★ if these reviews rated like the rest",
    ),
    "rec_survey": (
        "в опросах эта тема объясняет {share} различий в NPS",
        "in surveys this topic explains {share} of the variation in NPS",
    ),
    "rec_nolift": (
        "разрыв в оценках пока не измерить (мало оценок)",
        "rating gap not measurable yet (too few ratings)",
    ),
    "rec_nogap": (
        "отзывы с этой темой оценены не ниже остальных: эффект — в числе жалоб, а не в средней оценке",
        "reviews on this topic rate no lower than the rest: the gain is fewer complaints, not a higher average rating",
    ),
    "rec_counts": (
        "жалоб за 4 недели: {c} (за 4 недели до того: {prev}); оценка отзывов с этой жалобой {w}★ против {wo}★ "
        "у отзывов без жалоб",
        "complaints in 4 weeks: {c} ({prev} in the 4 weeks before); reviews with this complaint rate {w}★ vs {wo}★ "
        "for reviews without complaints",
    ),
    # issue 15: lift with its interval, next steps per owning team, the follow-up of last week's recommendations
    "rec_lift_ci": (
        "ожидаемый рост средней оценки {lift}; за последние 4 недели {now}, за 4 недели до того {prev}★",
        "expected rise of the average rating {lift}; last 4 weeks {now}, the 4 weeks before {prev}★",
    ),
    "next_step": ("Следующий шаг", "Next step"),
    "next_delivery": (
        "Разобрать опоздания по районам и интервалам доставки, проверить загрузку курьеров в часы пик",
        "Break late deliveries down by area and time slot and check courier capacity at peak hours",
    ),
    "next_support": (
        "Проверить время ответа и решения обращений по этой теме, обновить сценарии ответов",
        "Check response and resolution times for these tickets and update the reply scripts",
    ),
    "next_product": (
        "Найти повторяющиеся случаи в заказах и обращениях и завести задачу на исправление",
        "Find the recurring cases in orders and tickets and open a fix with an owner and a date",
    ),
    "next_stores": (
        "Разобрать случаи с управляющими магазинов и пунктов выдачи, проверить стандарты",
        "Review the cases with store and pick-up point managers and check the standards",
    ),
    "next_marketing": (
        "Проверить условия акций и их описание там, где клиенты путаются",
        "Check promotion terms and how they are described where customers get confused",
    ),
    "next_pricing": (
        "Сравнить цены с конкурентами по товарам из жалоб",
        "Compare prices with competitors for the products customers name",
    ),
    "next_cx": (
        "Прочитать отзывы темы, назначить ответственную команду",
        "Read the topic's reviews and assign an owning team",
    ),
    "followup": ("Что стало с рекомендациями прошлой недели", "Last week's recommendations, followed up"),
    "followup_better": ("лучше", "better"),
    "followup_same": ("без изменений", "same"),
    "followup_worse": ("хуже", "worse"),
    "followup_detail": (
        "жалоб {now} из {n_now} отзывов против {then} из {n_then} в {week}",
        "{now} complaints in {n_now} reviews vs {then} in {n_then} in {week}",
    ),
    "emerging_unnamed": ("Новая тема №{n}", "New topic #{n}"),
    "emerging_support": (
        "не меньше {m} упоминаний в {r} разных отзывах за 4 недели",
        "at least {m} mentions in {r} different reviews over 4 weeks",
    ),
    "rec_action": ("Разобрать причины и вернуться с планом", "Investigate the causes and come back with a plan"),
    "appendix": ("Приложение", "Appendix"),
    "definitions": ("Определения показателей", "Metric definitions"),
    "coverage": ("Покрытие данных", "Data coverage"),
    "source": ("Источник", "Source"),
    "platform": ("Площадка", "Platform"),
    "stored": ("Собрано", "Stored"),
    "counted": ("Учтено", "Counted"),
    "period": ("Период отзывов", "Reviews from–to"),
    "runs": ("Запуски (сбои)", "Runs (failed)"),
    "last_run": ("Последний запуск", "Last run"),
    "this_week_items": ("За неделю", "This week"),
    "query": ("запрос", "query"),
    "queries_note": (
        "Каждая таблица и график называют сохранённый SQL-запрос; "
        "запросы с параметрами этого обзора лежат в папке {dir}.",
        "Each table and chart names its saved SQL query; the queries, with this digest's parameters, are in {dir}.",
    ),
    "status_success": ("успешно", "success"),
    "status_partial": ("частично", "partial"),
    "status_failed": ("сбой", "failed"),
    "status_interrupted": ("прервано", "interrupted"),
    "status_running": ("идёт", "running"),
    "status_none": ("не запускался", "never run"),
    "no_data": ("нет данных", "no data"),
    "own": ("наш бренд", "own brand"),
    "footer": (
        "Molva — мониторинг отзывов. Авторы отзывов псевдонимизированы; цитаты обрезаны до {n} символов.",
        "Molva review monitoring. Review authors are pseudonymised; quotes are trimmed to {n} characters.",
    ),
    "summary_volume": (
        "Отзывы и упоминания: {n} ({delta} к прошлой неделе)",
        "Reviews and mentions: {n} ({delta} vs last week)",
    ),
    "summary_rating": ("средняя оценка {v}★ ({delta})", "average rating {v}★ ({delta})"),
    "emerging_badge": ("вне таксономии", "emerging"),
    "headline_vs": (
        "У конкурентов: их значение и разница «{brand} минус конкурент»; ▲▼ — разница значима.",
        "Competitors: their value and the difference {brand} minus competitor; ▲▼: the difference is significant.",
    ),
    "summary_top_alert": ("Главный сигнал: {topic} — {reason}", "Top alert: {topic}: {reason}"),
    "summary_top_rec": ("Главный приоритет: {topic} ({team})", "Top priority: {topic} ({team})"),
    "surveys": ("Опросы для сравнения", "Surveys for comparison"),
    "surveys_note": (
        "NPS и CSAT из опросов рядом с оценками по отзывам: авторы отзывов сами решают, писать ли, "
        "поэтому разрыв ожидаем.",
        "Survey NPS and CSAT beside the review-based proxies: reviewers self-select, so a gap is expected.",
    ),
    "survey_nps": ("NPS опроса", "Survey NPS"),
    "review_nps": ("NPS-прокси отзывов", "Review NPS proxy"),
    "survey_csat": ("CSAT опроса", "Survey CSAT"),
    "review_csat": ("CSAT отзывов", "Review CSAT"),
    "grain_week": ("неделя", "week"),
    "grain_month": ("месяц", "month"),
    "grain_quarter": ("квартал", "quarter"),
    "no_chart_data": ("Нет данных для графика за эти недели.", "No data to chart for these weeks."),
    # the verdict-first brief (molva/digest/verdict.py)
    "brief": ("Вывод недели", "The verdict"),
    "brief_rating": (
        "Средняя оценка за 4 недели {v}★ против {prev}★ за 4 недели до того (n {n} / {n_prev})",
        "Average rating over 4 weeks {v}★ against {prev}★ the 4 weeks before (n {n} / {n_prev})",
    ),
    "brief_sig_down": ("значимое снижение, p = {p}", "a significant fall, p = {p}"),
    "brief_sig_up": ("значимый рост, p = {p}", "a significant rise, p = {p}"),
    "brief_noise": ("в пределах недельных колебаний, p = {p}", "within week-to-week noise, p = {p}"),
    "brief_low": ("минимум за {weeks}", "the lowest in {weeks}"),
    "brief_high": ("максимум за {weeks}", "the highest in {weeks}"),
    "brief_rank_part": ("{metric} — {rank} из {of}", "{metric} {rank} of {of}"),
    "brief_rank": ("Место среди брендов за 4 недели: {parts}.", "Rank among the brands over 4 weeks: {parts}."),
    "brief_rank_last": (
        "Последнее место из {of} брендов по оценке, CSAT и NPS ({parts}).",
        "Last of {of} brands on rating, CSAT and NPS ({parts}).",
    ),
    "brief_rank_first": (
        "Первое место из {of} брендов по оценке, CSAT и NPS ({parts}).",
        "First of {of} brands on rating, CSAT and NPS ({parts}).",
    ),
    "short_avg_rating": ("оценка", "rating"),
    "short_csat": ("CSAT", "CSAT"),
    "short_nps_proxy": ("NPS", "NPS"),
    "brief_driver": (
        "Главная причина: {topic} (отвечает: {team}); {evidence}.",
        "Main driver: {topic} (owner: {team}); {evidence}.",
    ),
    "brief_driver_only": ("Главная жалоба недели: {topic} ({count}).", "Top complaint this week: {topic} ({count})."),
    "brief_action": (
        "{team}: разобрать «{topic}» и вернуться с планом до следующего обзора.",
        "{team}: investigate {topic} and come back with a plan before the next digest.",
    ),
    "brief_action_label": ("Что сделать", "Action"),
    "brief_vs_prev4": ("к 4 неделям до того", "vs the 4 weeks before"),
    "brief_subject_last": ("последнее место из {of}", "last of {of}"),
    "brief_preview_driver": ("Главная причина: {topic}.", "Main driver: {topic}."),
    "sql_queries": ("SQL-запросы", "SQL queries"),
    "charts_attached": ("Графики — во вложенных изображениях.", "Charts are in the attached images."),
    # teams
    "team_support": ("Поддержка", "Support"),
    "team_delivery": ("Доставка и логистика", "Delivery and logistics"),
    "team_product": ("Продукт", "Product"),
    "team_stores": ("Магазины и пункты выдачи", "Stores and pick-up points"),
    "team_marketing": ("Маркетинг", "Marketing"),
    "team_pricing": ("Ценообразование", "Pricing"),
    "team_cx": ("CX-команда (разобрать и назначить)", "CX team (triage and assign)"),
}

# Noun forms per CLDR plural category; which category a number takes comes from Babel's CLDR rules, not from here.
NOUNS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "mention": (
        {"one": "упоминание", "few": "упоминания", "many": "упоминаний", "other": "упоминания"},
        {"one": "mention", "other": "mentions"},
    ),
    "complaint": (
        {"one": "жалоба", "few": "жалобы", "many": "жалоб", "other": "жалобы"},
        {"one": "complaint", "other": "complaints"},
    ),
    "review": (
        {"one": "отзыв", "few": "отзыва", "many": "отзывов", "other": "отзыва"},
        {"one": "review", "other": "reviews"},
    ),
    "week_acc": (
        {"one": "неделю", "few": "недели", "many": "недель", "other": "недели"},
        {"one": "week", "other": "weeks"},
    ),
}

DEFINITIONS: list[tuple[str, tuple[str, str]]] = [
    ("m_n_items", (
        "Отзывы и упоминания, учтённые в витринах: дубликаты считаются один раз, реклама и спам исключены.",
        "Reviews and mentions counted by the marts: a near-duplicate cluster counts once, "
        "advertising and spam are left out.",
    )),
    ("m_avg_rating", (
        "Среднее по оценкам, приведённым к шкале 1–5; интервал — ±1,96·σ/√n.",
        "Mean of ratings normalised to a 1–5 scale; interval ±1.96·sd/√n.",
    )),
    ("m_csat", (
        "Доля оценок 4–5★ среди оценённых; интервал Уилсона.",
        "Share of 4–5★ among rated items; Wilson interval.",
    )),
    ("m_nps_proxy", (
        "Доля 5★ минус доля 1–3★, ×100. Приближение: авторы отзывов сами выбирают, писать ли, "
        "и вопрос не тот, что в NPS.",
        "Share of 5★ minus share of 1–3★, ×100. A proxy: reviewers self-select and a rating is not the NPS question.",
    )),
    ("m_net_sentiment", (
        "Доля позитивных минус доля негативных среди отзывов и упоминаний с мнением (модель тональности), ×100; "
        "упоминания без мнения (новости, реклама, вопросы) в доли не входят и считаются отдельно.",
        "Share of positive minus share of negative among the items that express an opinion (sentiment model), ×100; "
        "items without one (news, ads, questions) are in no share and are counted apart.",
    )),
    ("m_reply_rate", (
        "Доля отзывов (не упоминаний) с ответом компании; интервал Уилсона.",
        "Share of reviews (not mentions) with a company reply; Wilson interval.",
    )),
    ("m_share_of_voice", (
        "Доля бренда во всех отзывах и упоминаниях отслеживаемых брендов.",
        "The brand's share of all tracked brands' reviews and mentions.",
    )),
    ("impact", (
        "Влияние темы = частота × доля жалоб × (1 + разрыв в оценках) × тренд; эффект — рост средней оценки бренда, "
        "если отзывы с темой будут оценены как остальные.",
        "Topic impact = frequency × share of complaints × (1 + rating gap) × trend; "
        "the estimate is how much the brand's "
        "average rating would rise if the topic's reviews rated like the rest.",
    )),
    ("significance", (
        "Изменение к прошлой неделе значимо, если 0 вне 95 % интервала разницы (нормальное приближение; для объёма — "
        "пуассоновское). Меньше 10 наблюдений — «мало данных».",
        "A change against last week is significant when 0 lies outside the difference's 95 % interval (normal "
        "approximation; Poisson for volume). Fewer than 10 observations: 'too few data'.",
    )),
]  # fmt: skip


class Translator:
    """Looks up the digest's strings in one language."""

    def __init__(self, lang: str) -> None:
        if lang not in ("ru", "en"):
            raise ValueError(f"unsupported digest language {lang!r} (use ru or en)")
        self.lang = lang
        self._i = 0 if lang == "ru" else 1

    def __call__(self, key: str, **values: object) -> str:
        try:
            text = STRINGS[key][self._i]
        except KeyError:
            raise KeyError(f"digest string {key!r} is missing from molva/digest/i18n.py") from None
        return text.format(**values) if values else text

    def weeks(self, n: int) -> str:
        """``10 недель`` / ``2 недели`` / ``1 неделю`` (accusative after «последние»), ``10 weeks`` / ``1 week``."""
        return self.count(n, "week_acc")

    def count(self, n: int, noun: str) -> str:
        """``n`` and the noun in the plural form CLDR's rules pick for ``n`` (Babel): ``1 упоминание``, ``1 mention``,
        ``21 упоминание``, ``3 упоминания``, ``5 упоминаний``. The number is formatted for the language."""
        from babel import Locale
        from babel.numbers import format_decimal

        forms = NOUNS[noun][self._i]
        locale = "ru_RU" if self.lang == "ru" else "en_GB"
        category = Locale.parse(locale).plural_form(abs(n))
        word = forms.get(category, forms["other"])
        return f"{format_decimal(n, locale=locale)}\u00a0{word}"

    def platform(self, platform: str | None) -> str:
        """A platform id as readers know it (``appstore`` → ``App Store``); unknown ids are shown as they are."""
        from molva.connectors import CONNECTORS

        found = CONNECTORS.get(platform or "")
        return found.label(self.lang) if found else str(platform or "–")

    def definitions(self) -> list[tuple[str, str]]:
        """(term, definition) pairs for the appendix."""
        terms = {"impact": ("Влияние темы", "Topic impact"), "significance": ("Значимость", "Significance")}
        out = []
        for key, texts in DEFINITIONS:
            term = terms[key][self._i] if key in terms else self(key)
            out.append((term, texts[self._i]))
        return out
