"""`huhang demo_data --size small|demo|district|large [--seed N]`: load the synthetic district."""

from __future__ import annotations

import unicodedata

from django.core.management.base import BaseCommand

from huhang.demo import generator


class Command(BaseCommand):
    help = "生成演示用的合成数据（昆都仑区）：行政区划、机构、演示账号、人员与儿童档案。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--size",
            choices=generator.SIZES,
            default="demo",
            help="small：数百人（测试用）；demo：约2万人；district：约80万人；large：约160万人",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=generator.DEFAULT_SEED,
            help="随机种子：同一种子生成相同的数据",
        )

    def handle(self, *args, size: str, seed: int, verbosity: int, **options) -> None:
        out = self.stdout if verbosity > 0 else None
        generator.generate(size, seed, stdout=out)
        if out is not None:
            self._print_accounts()

    def _print_accounts(self) -> None:
        rows = [("用户名", "角色", "范围"), *generator.accounts_table()]
        widths = [max(_width(row[i]) for row in rows) + 2 for i in range(2)]
        self.stdout.write("\n演示账号：")
        for username, role, scope in rows:
            self.stdout.write(f"  {_pad(username, widths[0])}{_pad(role, widths[1])}{scope}")
        self.stdout.write(
            self.style.WARNING(
                f"\n所有演示账号的密码均为 {generator.DEMO_PASSWORD}，仅用于演示数据，"
                "切勿用于真实数据或生产环境。"
            )
        )


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
