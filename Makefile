# Kyodo Portal. `make run` serves the portal with demo data; `make test` runs the whole suite.
# Both create .venv and install what they need on the first run.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run test test-dates test-fast bench faults worker beat lint lock format migrations-check check-deploy backup restore \
        install check-python check-pango clean

help: ## この一覧を表示する
	@awk 'BEGIN {FS = ":.*?## "} /^[a-zA-Z_-]+:.*?## / {printf "  make %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "Python 3.11 以上が必要です（$(PYTHON) は $$($(PYTHON) --version 2>&1)）。PYTHON=python3.12 make run のように指定できます。"; exit 1; }

# The pinned versions come from requirements-dev.lock; the second install adds the project itself
# (and anything pyproject.toml gained since the last `make lock`, unpinned until then).
$(STAMP): pyproject.toml requirements-dev.lock | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.lock
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP) ## 仮想環境 .venv を作り、依存パッケージを入れる（バージョンは requirements-dev.lock のとおり）

lock: ## pyproject.toml の依存から requirements.lock（本番）と requirements-dev.lock（開発・CI）を作り直す
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev \
	  --constraint requirements.lock --output-file requirements-dev.lock pyproject.toml

check-pango: $(STAMP)
	@$(PY) -c 'import weasyprint' 2>/dev/null || { \
	  echo ""; \
	  echo "PDF 作成に使う WeasyPrint が Pango ライブラリを見つけられません。次のどれかで入れてください:"; \
	  echo "  Debian / Ubuntu : sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0"; \
	  echo "  RHEL / Fedora   : sudo dnf install pango"; \
	  echo "  macOS (Homebrew): brew install pango"; \
	  echo ""; exit 1; }

run: check-pango ## デモデータ入りのポータルを http://127.0.0.1:8000 で起動する（SQLite）
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  ポータル: http://$(HOST):$(PORT)/   管理画面: http://$(HOST):$(PORT)/admin/"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

test: check-pango ## テストをすべて実行する（DATABASE_URL / REDIS_URL があればそれを使う）
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(BIN)/pytest

# Japan-time instants for test-dates: the turn of the fiscal year (both sides), New Year's Day and a
# leap day; the run also goes once at the real time. Each run moves the whole test process's clock
# (pytest --fake-now, tests/conftest.py).
DATE_INSTANTS ?= 2027-04-01T00:00+09:00 2027-03-31T23:59+09:00 2027-01-01T09:00+09:00 2028-02-29T12:00+09:00

test-dates: check-pango ## 日付に左右されるテストを、年度末・年度初め・元日・うるう日・今日の時刻で実行する
	@failed=""; \
	for instant in $(DATE_INSTANTS) today; do \
	  echo "=== 時刻: $$instant"; \
	  if [ "$$instant" = today ]; then fake=""; else fake="--fake-now=$$instant"; fi; \
	  $(BIN)/pytest -m dates -q -p no:cacheprovider $$fake || failed="$$failed $$instant"; \
	done; \
	if [ -n "$$failed" ]; then echo "失敗した時刻:$$failed"; exit 1; fi

test-fast: $(STAMP) ## ブラウザを使わないテストだけを実行する
	$(BIN)/pytest -m "not browser"

bench: check-pango ## ベンチマーク（専用データベースを作り、gunicorn に負荷をかけて計測する）
	$(PY) manage.py bench

faults: check-pango ## 障害注入テスト（PostgreSQL・Redis を使う）
	$(BIN)/pytest -m faults

worker: $(STAMP) ## Celery ワーカーを起動する（4つのキューすべてを処理。REDIS_URL が必要）
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(BIN)/celery -A config worker --loglevel=INFO

beat: $(STAMP) ## Celery beat（定期実行）を起動する（REDIS_URL が必要）
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(BIN)/celery -A config beat --loglevel=INFO

lint: $(STAMP) ## ruff で静的検査し、アプリ間の依存の約束（pyproject.toml の importlinter）を確かめる
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP) ## ruff で整形する
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: $(STAMP) ## 本番設定で manage.py check --deploy を実行する
	DJANGO_SETTINGS_MODULE=config.settings.production \
	SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-portal.example.jp} \
	$(PY) manage.py check --deploy --fail-level WARNING

backup: $(STAMP) ## データベースとアップロードファイルを BACKUP_ROOT の日付フォルダーに保存する
	$(PY) manage.py backup

restore: $(STAMP) ## 空のデータベースへ復元する: make restore FROM=var/backups/20260401-030000
	@test -n "$(FROM)" || { echo "FROM=バックアップのフォルダー を指定してください"; exit 1; }
	$(PY) manage.py restore "$(FROM)"

clean: ## 仮想環境と開発用データベースを消す
	rm -rf $(VENV) db.sqlite3 var
