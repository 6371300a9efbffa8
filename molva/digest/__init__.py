"""The weekly reputation digest: HTML, PDF and Markdown rendered from the marts, and e-mail.

Entry points: :func:`molva.digest.render.render_digest` and :func:`molva.digest.send.send_digest` (docs/digest.md).
Submodules are imported on use so ``molva --help`` stays fast.
"""
