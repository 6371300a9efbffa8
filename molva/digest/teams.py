"""Which team owns a topic: first by the taxonomy topic id, else by its customer-journey stage.

The stage (``topics.stage``: awareness, purchase, delivery, use, support, churn) is a good default, but a few taxonomy
topics in ``configs/topics.yaml`` belong elsewhere (rude staff is in the `use` stage yet a stores matter). Emerging
topics have no stage yet: the CX team triages them.
"""

from __future__ import annotations

TEAM_BY_TOPIC: dict[str, str] = {
    "product_quality": "product",
    "price_value": "pricing",
    "delivery": "delivery",
    "returns_refunds": "support",
    "customer_support": "support",
    "staff_politeness": "stores",
    "waiting_times": "stores",
    "website_app": "product",
    "payment_billing": "product",
    "communication_notifications": "delivery",
    "assortment_availability": "product",
    "cleanliness_ambience": "stores",
    "loyalty_promotions": "marketing",
}

TEAM_BY_STAGE: dict[str, str] = {
    "awareness": "marketing",
    "purchase": "product",
    "delivery": "delivery",
    "use": "product",
    "support": "support",
    "churn": "marketing",
}


def owning_team(topic_id: str, stage: str | None) -> str:
    """The team key (``support``, ``delivery``, ``product``, ``stores``, ``marketing``, ``pricing`` or ``cx``)."""
    if topic_id in TEAM_BY_TOPIC:
        return TEAM_BY_TOPIC[topic_id]
    if stage and stage in TEAM_BY_STAGE:
        return TEAM_BY_STAGE[stage]
    return "cx"
