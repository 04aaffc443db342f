"""``manage.py assistant_evaluate``: the assistant's figures beside the search API's."""

from django.core.management.base import BaseCommand

from govhall.assistant.evaluation import runner


class Command(BaseCommand):
    help = "用评测问题集评估智能客服（与事项检索接口对比），打印准确率、引用率与时延。"

    def add_arguments(self, parser):
        parser.add_argument("--misses", action="store_true", help="列出未答对的问题")
        parser.add_argument("--holdout", action="store_true", help="只评估留出问题集")

    def handle(self, *args, **options):
        path = runner.HOLDOUT if options["holdout"] else runner.QUESTIONS
        assistant, search = runner.evaluate(runner.load_questions(path))
        self.stdout.write(runner.report(assistant, search))
        if options["misses"]:
            for miss in assistant.misses:
                self.stdout.write(f"  ✗ {miss}")
