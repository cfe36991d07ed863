"""`huhang keys check|status|rotate|generate`: the field key (core.crypto).

huhang keys check
    exits 1 naming what is wrong with the key (missing, wrong for the data, in the data
    directory in production), 0 when the key is usable
huhang keys status
    the current key id and how many encrypted values are not under it yet
huhang keys rotate [--batch-size N] [--max-batches N]
    re-encrypts every ID number (and bank account) under HUHANG_FIELD_KEY, in batches, each
    committed on its own: an interrupted run continues where it stopped. Put the new key in
    HUHANG_FIELD_KEY and the previous one in HUHANG_FIELD_KEYS_OLD first; drop the old one
    when `status` shows nothing pending. Switching HUHANG_CRYPTO (aes <-> sm) is a rotation
    too, with the same key.
huhang keys generate
    prints a new random key (it is not stored anywhere)
"""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandError

from huhang.core import crypto


class Command(BaseCommand):
    help = "字段加密密钥：check 检查、status 状态、rotate 轮换（分批、可续做）、generate 生成。"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check", help="检查密钥；有问题时以非零状态退出")
        sub.add_parser("status", help="当前密钥编号与尚未轮换的密文数")
        rotate = sub.add_parser("rotate", help="用当前密钥重新加密全部密文（分批，可中断后续做）")
        rotate.add_argument("--batch-size", type=int, default=1000)
        rotate.add_argument("--max-batches", type=int, default=None)
        sub.add_parser("generate", help="打印一个新的随机密钥（不保存）")

    def handle(self, *args, action: str, **options) -> None:
        if action == "generate":
            self.stdout.write(Fernet.generate_key().decode())
            return
        if action == "check":
            problems = crypto.key_problems()
            for problem in problems:
                self.stderr.write(problem)
            if problems:
                raise CommandError("field key: not usable")
            self.stdout.write("field key: ok")
            return
        try:
            ring = crypto.keyring()
        except crypto.KeyMismatch as exc:
            raise CommandError(str(exc)) from exc
        if action == "status":
            self.stdout.write(f"current key id: {ring.current.kid} ({ring.current.suite})")
            for label, count in crypto.rotation_pending().items():
                self.stdout.write(f"{label}: {count} pending")
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")

        def progress(step: crypto.RotationStep) -> None:
            left = f", {step.remaining} left" if step.remaining else ""
            self.stdout.write(f"{step.label}: {step.done} re-encrypted{left}")

        try:
            counts = crypto.rotate(
                batch_size=options["batch_size"],
                max_batches=options["max_batches"],
                progress=progress,
            )
        except crypto.KeyMismatch as exc:
            raise CommandError(str(exc)) from exc
        pending = sum(crypto.rotation_pending().values())
        total = sum(counts.values())
        self.stdout.write(
            f"rotated {total} values to key id {ring.current.kid}; {pending} pending"
            + ("" if pending else " (done: HUHANG_FIELD_KEYS_OLD may be dropped)")
        )
