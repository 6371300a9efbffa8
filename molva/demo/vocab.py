"""Sentence templates and vocabulary of the demo corpus: a grocery-delivery service reviewed in Russian and English.

Each topic has complaint and praise sentences per language with slots (``{item}``, ``{minutes}``, ``{brand}`` …) that
:mod:`molva.demo.generate` fills at random, so several hundred reviews read differently while staying on topic.
Topic ids match ``configs/topics.yaml``; ``substitutions`` is deliberately *not* in the taxonomy, so the demo has an
emerging topic to discover.
"""

from __future__ import annotations

Lang = str  # "ru" | "en"

ITEMS: dict[Lang, list[str]] = {
    "ru": ["молоко", "хлеб", "клубнику", "авокадо", "сыр", "курицу", "бананы", "яйца", "творог", "помидоры", "рыбу",
           "йогурты", "зелень", "кофе", "мороженое"],
    "en": ["milk", "bread", "strawberries", "avocados", "cheese", "chicken", "bananas", "eggs", "yoghurt", "tomatoes",
           "salmon", "coffee", "ice cream", "salad leaves", "orange juice"],
}  # fmt: skip

# (topic id, polarity) -> language -> templates. Polarity "complaint" or "praise".
SENTENCES: dict[tuple[str, str], dict[Lang, list[str]]] = {
    ("delivery", "complaint"): {
        "ru": [
            "Курьер опоздал на {minutes} минут, хотя обещали доставку за час.",
            "Заказ привезли на {hours} часа позже выбранного интервала.",
            "Доставка задержалась уже второй раз за неделю, никто не предупредил.",
            "Курьер так и не приехал, заказ пришлось отменить.",
            "Ждал доставку весь вечер, в итоге привезли после десяти.",
            "Пакеты привезли помятыми, {item} раздавили.",
        ],
        "en": [
            "The courier was {minutes} minutes late even though they promised delivery within an hour.",
            "My order arrived {hours} hours after the slot I picked.",
            "Delivery was late again, the second time this week, and nobody warned me.",
            "The courier never showed up and I had to cancel the order.",
            "I waited all evening for the delivery and it came after 10 pm.",
            "The bags arrived crushed and the {item} did not survive.",
        ],
    },
    ("delivery", "praise"): {
        "ru": [
            "Привезли за {fast} минут, очень быстро.",
            "Курьер приехал точно в выбранный интервал.",
            "Доставка всегда вовремя, ни разу не подводили.",
            "Быстрая доставка даже в дождь, спасибо курьеру.",
        ],
        "en": [
            "Delivered in {fast} minutes, really fast.",
            "The courier arrived right on time within my slot.",
            "Deliveries are always on time, they have never let me down.",
            "Fast delivery even in the rain, thanks to the courier.",
        ],
    },
    ("product_quality", "complaint"): {
        "ru": [
            "В заказе оказался просроченный товар, пришлось выбросить {item}.",
            "Привезли испорченный заказ, {item} пришлось выбросить.",
            "Качество продуктов стало хуже, в прошлый раз пришлось выбросить {item}.",
            "Фрукты привезли мятые и перезрелые.",
        ],
        "en": [
            "I had to throw away the {item}, it was past the use-by date.",
            "They delivered spoiled {item} and I had to throw them away.",
            "Product quality has gone down, last time I had to bin the {item}.",
            "The fruit arrived bruised and overripe.",
        ],
    },
    ("product_quality", "praise"): {
        "ru": [
            "Продукты всегда свежие, за {item} отдельное спасибо.",
            "Качество овощей и фруктов на высоте.",
            "Заказывала {item}: свежее, чем в магазине у дома.",
        ],
        "en": [
            "The groceries are always fresh, especially the {item}.",
            "Fruit and vegetables are top quality.",
            "Really fresh {item}, better than my local supermarket.",
        ],
    },
    ("price_value", "complaint"): {
        "ru": [
            "Цены выросли почти на {pct}% за пару месяцев.",
            "Слишком дорого по сравнению с обычным супермаркетом.",
            "Стоимость доставки подняли, а сервис не стал лучше.",
        ],
        "en": [
            "Prices went up by almost {pct}% in a couple of months.",
            "Too expensive compared with a normal supermarket.",
            "They raised the delivery fee and the service did not get any better.",
        ],
    },
    ("price_value", "praise"): {
        "ru": [
            "Цены приятные, часто дешевле, чем в магазине.",
            "Хорошее соотношение цены и качества.",
            "Бесплатная доставка от {threshold} рублей, это удобно.",
        ],
        "en": [
            "Prices are fair, often cheaper than in the shop.",
            "Good value for money.",
            "Free delivery over {threshold} roubles is very handy.",
        ],
    },
    ("customer_support", "complaint"): {
        "ru": [
            "Служба поддержки не отвечает уже {days} дня.",
            "Оператор в чате отвечает шаблонами и ничего не решает.",
            "Дозвониться на горячую линию невозможно.",
            "Написал в поддержку, никто не помог.",
        ],
        "en": [
            "Customer service has not answered for {days} days.",
            "The chat agent only sends canned replies and solves nothing.",
            "It is impossible to get through to the hotline.",
            "I contacted support and nobody helped me.",
        ],
    },
    ("customer_support", "praise"): {
        "ru": [
            "Поддержка быстро решила проблему и вернула деньги за {item}.",
            "Оператор в чате ответил за пару минут, всё решили.",
            "Спасибо службе поддержки, очень отзывчивые.",
        ],
        "en": [
            "Support sorted out the problem quickly and refunded the {item}.",
            "The chat agent replied within a couple of minutes and fixed everything.",
            "Thanks to the support team, they were really helpful.",
        ],
    },
    ("website_app", "complaint"): {
        "ru": [
            "Приложение постоянно вылетает при оформлении заказа.",
            "В приложении не работает поиск.",
            "Не могу войти в личный кабинет, код из смс не приходит.",
        ],
        "en": [
            "The app keeps crashing at checkout.",
            "Search in the app does not work.",
            "I cannot log in, the SMS code never arrives.",
        ],
    },
    ("website_app", "praise"): {
        "ru": [
            "Очень удобное приложение, заказ собираю за пять минут.",
            "Приложение простое и понятное.",
        ],
        "en": [
            "Very convenient app, I put an order together in five minutes.",
            "The app is simple and easy to use.",
        ],
    },
    ("payment_billing", "complaint"): {
        "ru": [
            "Деньги списали дважды, а возвращают уже неделю.",
            "Оплата картой не прошла, а деньги заблокировались.",
            "В чеке оказались товары, которых не было в заказе.",
        ],
        "en": [
            "I was charged twice and the refund has taken a week already.",
            "The card payment failed but the money was still held.",
            "The receipt listed items that were not in my order.",
        ],
    },
    ("assortment_availability", "complaint"): {
        "ru": [
            "Половины товаров нет в наличии.",
            "Постоянно не могу заказать {item}, приходится идти в магазин.",
        ],
        "en": [
            "Half of the products are out of stock.",
            "They are always out of {item}, so I still have to go to the shop.",
        ],
    },
    ("assortment_availability", "praise"): {
        "ru": [
            "Большой ассортимент, есть даже фермерские продукты.",
            "Всегда есть всё, что нужно.",
        ],
        "en": [
            "Wide selection, they even have farm products.",
            "They always have everything I need.",
        ],
    },
    ("staff_politeness", "complaint"): {
        "ru": [
            "Курьер нагрубил и бросил пакеты у двери.",
            "Оператор разговаривал очень грубо.",
        ],
        "en": [
            "The courier was rude and dumped the bags at the door.",
            "The operator was very rude to me.",
        ],
    },
    ("staff_politeness", "praise"): {
        "ru": [
            "Курьер очень вежливый, помог занести пакеты.",
            "Все сотрудники приветливые и вежливые.",
        ],
        "en": [
            "The courier was very polite and helped carry the bags in.",
            "Everyone I dealt with was friendly and polite.",
        ],
    },
    ("loyalty_promotions", "complaint"): {
        "ru": [
            "Промокод не сработал, хотя срок действия не истёк.",
            "Бонусы за прошлый заказ так и не начислили.",
        ],
        "en": [
            "The promo code did not work even though it had not expired.",
            "Bonus points for my last order were never credited.",
        ],
    },
    ("loyalty_promotions", "praise"): {
        "ru": [
            "Хорошие скидки по подписке, экономлю около {pct}%.",
            "Бонусная программа щедрая, кешбэк приходит сразу.",
        ],
        "en": [
            "Good discounts with the subscription, I save about {pct}%.",
            "The loyalty programme is generous and the cashback arrives straight away.",
        ],
    },
    ("returns_refunds", "complaint"): {
        "ru": [
            "Не довезли {item}, а деньги до сих пор не вернули.",
            "Отказались принять возврат испорченного товара.",
        ],
        "en": [
            "I am still waiting for my refund for the missing {item}.",
            "They refused to take back a spoiled item.",
        ],
    },
    # Not in the taxonomy: the emerging topic the demo plants in the own brand's last weeks.
    ("substitutions", "complaint"): {
        "ru": [
            "Заменили {item} на другой товар без согласования.",
            "Сборщик заменил {item} и даже не позвонил.",
            "Опять замены без спроса: вместо моего товара привезли что-то другое.",
        ],
        "en": [
            "They swapped the {item} for something else without asking me.",
            "The picker substituted my {item} and did not even call.",
            "Substitutions without asking again: I got a different product instead of mine.",
        ],
    },
}

# Neutral context (what was ordered, where, how much), written as a clause that leads into the first topic sentence
# ("Заказ был на субботу — курьер опоздал…"): two reviews with the same complaint then read differently, as real ones
# do, and the context never stands alone as a sentence that could pile up into a fake "emerging topic".
CONTEXT: dict[Lang, list[str]] = {
    "ru": [
        "Заказ был на {weekday}",
        "В заказе было {count} позиций, в том числе {item} и {item2}",
        "Живу в районе {district}, заказываю обычно вечером",
        "Заказ на {amount} ₽",
        "Заказываю через {channel}, чаще всего {item} и {item2}",
        "Брали продукты к выходным, {count} позиций",
        "Покупаю для семьи из {family} человек",
        "Заказывали к празднику {item} и {item2}",
        "Раньше ходила в магазин у дома, теперь всё заказываю",
        "Оплачивал картой при оформлении",
    ],
    "en": [
        "Ordered {item}, {item2} and a few other things for {weekday}",
        "There were {count} items in the order, including {item} and {item2}",
        "I live near {district} and usually order in the evening",
        "The order came to {amount} roubles",
        "I order through the {channel_en}, mostly {item} and {item2}",
        "We got groceries for the weekend, {count} items",
        "I shop for a family of {family}",
        "We ordered {item} and {item2} for a birthday party",
        "I used to walk to the corner shop, now I order everything",
        "Paid by card at checkout",
    ],
}
WEEKDAYS: dict[Lang, list[str]] = {
    "ru": ["понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
DISTRICTS = ["Сокол", "Марьино", "Хамовники", "Бутово", "Лефортово", "Митино", "Выхино", "Чертаново", "Арбат"]
DISTRICTS_EN = ["Sokol", "Maryino", "Khamovniki", "Butovo", "Lefortovo", "Mitino", "Vykhino", "Chertanovo", "Arbat"]

# Short on purpose (at most two content words): a greeting is not a topic.
OPENERS: dict[tuple[str, Lang], list[str]] = {
    ("positive", "ru"): ["Всё понравилось!", "Постоянный клиент.", "Заказываю регулярно.", "Спасибо, {brand}!"],
    ("positive", "en"): ["Really happy!", "Regular customer.", "Love it.", "Thanks, {brand}!"],
    ("negative", "ru"): ["Очень разочарован.", "Ужасный сервис.", "Раньше было лучше.", "Кошмар."],
    ("negative", "en"): ["Very disappointed.", "Terrible service.", "It used to be better.", "Awful."],
    ("mixed", "ru"): ["В целом неплохо.", "Сервис нормальный.", "Так себе."],
    ("mixed", "en"): ["Mostly fine.", "The service is OK.", "So-so."],
}

CLOSERS: dict[tuple[str, Lang], list[str]] = {
    ("positive", "ru"): ["Рекомендую!", "Буду заказывать ещё.", "Спасибо!", ""],
    ("positive", "en"): ["Recommended!", "Will order again.", "Thank you!", ""],
    ("negative", "ru"): ["Больше заказывать не буду.", "Перехожу к конкурентам.", "Не рекомендую.", ""],
    ("negative", "en"): ["I will not order again.", "Switching to a competitor.", "Would not recommend.", ""],
    ("mixed", "ru"): ["Посмотрим, что будет дальше.", ""],
    ("mixed", "en"): ["We will see how it goes.", ""],
}

TITLES: dict[tuple[str, Lang], list[str]] = {
    ("positive", "ru"): ["Отличный сервис", "Быстро и удобно", "Всё супер", "Рекомендую"],
    ("positive", "en"): ["Great service", "Fast and easy", "Love it", "Highly recommend"],
    ("negative", "ru"): ["Разочарован", "Ужасно", "Опять опоздали", "Не советую"],
    ("negative", "en"): ["Disappointed", "Awful", "Late again", "Avoid"],
    ("mixed", "ru"): ["Нормально", "Есть над чем поработать", "Средне"],
    ("mixed", "en"): ["OK", "Room for improvement", "Average"],
}

REPLIES: dict[Lang, list[str]] = {
    "ru": [
        "Здравствуйте! Спасибо за отзыв, мы передали информацию команде.",
        "Приносим извинения за неудобства. Напишите нам в чат, и мы всё исправим.",
        "Спасибо, что выбираете нас! Рады, что вам понравилось.",
    ],
    "en": [
        "Hi, thank you for your feedback, we have passed it on to the team.",
        "We are sorry for the trouble. Please message us in the chat and we will put it right.",
        "Thanks for choosing us! Glad you enjoyed it.",
    ],
}

# Reddit-style posts: a question or a remark about a brand, then a topic sentence.
POST_OPENERS: dict[Lang, list[str]] = {
    "en": ["Anyone else using {brand} lately?", "PSA about {brand}.", "Quick question about {brand}.",
           "Tried {brand} for the first time this week."],
    "ru": ["Кто-нибудь пользуется сервисом «{brand}»?", "Вопрос про «{brand}».",
           "Попробовал «{brand}» на этой неделе."],
}  # fmt: skip

SPAM: dict[Lang, list[str]] = {
    "ru": ["Накрутка подписчиков и отзывов недорого! Пишите в телеграм, ссылка в профиле http://promo.example/boost"],
    "en": ["Earn $500 a day from home!!! Visit http://promo.example/cash now, limited offer"],
}

FIRST_NAMES: dict[Lang, list[str]] = {
    "ru": ["Анна", "Мария", "Ольга", "Елена", "Дмитрий", "Алексей", "Иван", "Сергей", "Наталья", "Павел", "Юлия",
           "Татьяна", "Андрей", "Михаил", "Ксения", "Екатерина", "Николай", "Светлана", "Виктор", "Ирина", "Артём",
           "Дарья", "Полина", "Роман", "Вера", "Глеб", "Кирилл", "Лидия", "Олег", "Софья"],
    "en": ["Anna", "Maria", "Olga", "Helen", "Dmitry", "Alex", "Ivan", "Sergey", "Natalie", "Paul", "Julia", "Kate",
           "Andrew", "Michael", "Kseniya", "Nick", "Svetlana", "Victor", "Irina", "Tom", "Daria", "Polly", "Roman",
           "Vera", "Gleb", "Kirill", "Lydia", "Oleg", "Sophie", "Mark"],
}  # fmt: skip
