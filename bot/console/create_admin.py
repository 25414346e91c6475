"""Create a console administrator (there is no default account or password).

    python3 -m bot create-admin                    # asks for user name, name and password
    python -m bot.console.create_admin --username admin --display-name 管理员 --password-stdin < secret

Uses DATABASE_URL (default var/tickets.db) and migrates the console tables first.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.console import migrate
from bot.console.config import ConsoleSettings
from bot.console.permissions import Role
from bot.console.services.auth import MIN_PASSWORD, AccountError, Accounts
from bot.core.database import Database
from bot.core.settings import ensure_var_dir, get_settings


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m bot create-admin", description="创建控制台系统管理员账号")
    parser.add_argument("--username", help="用户名（字母、数字，3–50 位）")
    parser.add_argument("--display-name", help="姓名（默认同用户名）")
    parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（用于脚本）")
    args = parser.parse_args(argv)

    username = args.username or input("用户名: ").strip()
    display_name = args.display_name or (username if args.username else input("姓名: ").strip() or username)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"密码（至少 {MIN_PASSWORD} 位）: ")
        if getpass.getpass("再输一次: ") != password:
            print("两次输入的密码不一致，未创建。", file=sys.stderr)
            return 1

    settings = get_settings()
    ensure_var_dir(settings.var_dir)
    db = Database(settings.database_url)
    try:
        migrate.upgrade(settings.database_url, engine=db.engine)
        Accounts(db, ConsoleSettings.from_env()).create_user(
            None, username, display_name, Role.ADMIN.value, password, actor_name="命令行 create-admin"
        )
    except AccountError as error:
        print(f"未创建：{error}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"已创建系统管理员 {username}。登录地址：http://{settings.host}:{settings.port}/console/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
