"""Fictional outcome episodes for the demo, written like a center's evaluation (○ headings, ・ episodes).

Each program has its own headings and episodes per evaluation axis, written for what that program
is (a dialogue, a course, a festival, a fair, a networking evening, a round table, accompaniment).
The voices are invented: people of みらい市 telling what a program changed for them.
"""

import datetime as dt
import random

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.app_hooks import hook
from core.demo import demo_years_back
from core.fiscal import current_fiscal_year

# program code → evaluation axis → (○ heading, ・ episode). Each sentence belongs to one program and
# one axis, so no episode repeats within a fiscal year; "修了生" appears only under the courses
# (ALP, 社会起業入門講座). A program staff add later has no demo episodes.
EPISODES: dict[str, dict[str, list[tuple[str, str]]]] = {
    "mirai_taiwa": {
        "governance": [
            (
                "市の取り組みの紹介、市民との対話に参加",
                "子ども家庭支援課の職員がテーブルに加わり、子育て支援の計画を紹介して参加者の声を直接聞いた",
            ),
            (
                "重点テーマの設定",
                "重点テーマ「ひとり暮らし高齢者と地域」の回に、これまで来なかった民生委員の参加があった",
            ),
            (
                "市の取り組みの紹介、市民との対話に参加",
                "防災の回では防災危機管理課が避難所運営の課題を話し、住民側の案がその場で出された",
            ),
        ],
        "transformation": [
            (
                "地域の課題を知る場",
                "地域の働く母親の困りごとを聞き、自分の空手教室で夕方の預かりができないか考え始めた",
            ),
            (
                "地域の課題を知る場",
                "空き家の話題から、自分の住む地区にも使われていない集会所があることに気づいたという声があった",
            ),
            (
                "担い手育成の入口",
                "転入して間もない参加者が、市内にも地域活動がたくさんあることを知り、翌月の交流会に申し込んだ",
            ),
        ],
        "process": [
            (
                "活動の共感者や仲間を集める場",
                "やりたいことを毎回のテーブルで話し続けるうちに、手伝いを申し出る人が少しずつ現れた",
            ),
            (
                "担い手育成の入口",
                "ALPを受講する前に、先輩のプロジェクトの様子を聞く場として役立ったという声が多かった",
            ),
        ],
        "resources": [
            (
                "地域のリソースと出会う場",
                "地元のNPOのスタッフと同じテーブルになり、子ども食堂の会場探しが一気に進んだ",
            ),
            (
                "地域のリソースと出会う場",
                "商店会の役員と知り合い、空き店舗を一日借りて試しの催しを開く約束ができた",
            ),
        ],
        "solution": [
            (
                "地域の課題を知る場",
                "対話で出た「夜の中高生の居場所がない」という声を、センターが地域円卓会議で取り上げることにした",
            ),
            (
                "地域の課題を知る場",
                "災害時の要支援者の話し合いをきっかけに、町会で名簿づくりの相談が始まった",
            ),
        ],
        "learning": [
            (
                "地域活動に興味のある人、テーマに興味のある人の出会いの場",
                "前から地域活動に興味があり、思い切って参加した会社員が、同世代の仲間と出会い地域のプロジェクトを手伝うようになった",
            ),
            (
                "自己変容のきっかけ",
                "自分と同じように子育て中の母親が活動していると知り、自分も一歩踏み出そうと思えたと話していた",
            ),
        ],
        "community": [
            (
                "地域活動に興味のある人、テーマに興味のある人の出会いの場",
                "参加者の約4割が初めてセンターを訪れた人で、地域活動の入口として機能した",
            ),
            (
                "活動の共感者や仲間を集める場",
                "対話で出会った3人が見守りの茶話会を始め、月1回の開催が続いている",
            ),
        ],
    },
    "alp": {
        "governance": [
            (
                "選考・評価への市の参画",
                "最終発表会に担当課の職員が講評者として参加し、協働の可能性について具体的な助言をした",
            ),
            (
                "協働推進の意識改革、風土改革",
                "市の若手職員2名が受講生として参加し、市民と同じ立場で地域の課題に取り組んだ",
            ),
        ],
        "transformation": [
            (
                "課題の再設定により、やりたいことが明確に",
                "メンターとの面談で「誰のための事業か」を問われ、対象を共働き世帯に絞り直した",
            ),
            (
                "課題の再設定により、やりたいことが明確に",
                "仲間と議論してやりたいことを文章にしたことで、プランの軸が定まったと受講生が振り返った",
            ),
            (
                "事業実施の姿勢の習得",
                "第3回の試行で参加者が集まらず、原因を聞き取りに行ったことが次の企画の改善につながった",
            ),
        ],
        "process": [
            (
                "プロジェクト推進の後押し",
                "講座の課題として小さな試行を行ったことで、受講生が実際に動き出すきっかけになった",
            ),
            (
                "プロジェクト推進の後押し",
                "発表会という締め切りがあったことで、迷っていた受講生が計画を一つにまとめられた",
            ),
        ],
        "resources": [
            (
                "講座受講生同士の出会いの場",
                "受講生同士で得意なことを持ち寄り、チラシのデザインと会計を互いに手伝い合った",
            ),
            (
                "地域のリソースと出会う場",
                "メンターの紹介で社会福祉協議会の担当者とつながり、ボランティア保険と会場の相談ができた",
            ),
        ],
        "solution": [
            (
                "事業の社会的意義の明確化",
                "修了生のプロジェクト「親子の外遊びの日」が、市民提案型協働事業への提案に向けて担当課と相談を始めた",
            ),
            (
                "事業の社会的意義の明確化",
                "受講生が調べた通学路の危険箇所の地図が、町会と学校の話し合いの資料として使われた",
            ),
        ],
        "learning": [
            (
                "自己変容のきっかけとなる",
                "人前で話すのが苦手だった受講生が、発表会で自分の言葉で計画を語れるようになった",
            ),
            (
                "地域コーディネーターへの成長の促し",
                "修了生が翌年の講座でサポーターを務め、受講生の相談に乗る側に回った",
            ),
        ],
        "community": [
            (
                "活動を相互にサポートする地域のコミュニティの形成",
                "修了生の集まりが自主的に続き、互いの催しに手伝いに行く関係ができている",
            ),
            (
                "地域の仲間のつながりやネットワークづくり",
                "修了生のうち3人がプロジェクト登録をし、地域での活動を始めた",
            ),
        ],
    },
    "social_startup": {
        "governance": [
            (
                "市の取り組み姿勢の外部への発信",
                "商工観光課と共催したことで、市が社会的事業の起業を後押ししていることが広く伝わった",
            ),
            (
                "市の取り組みの紹介、市民との対話に参加",
                "市の創業支援の担当者が融資と補助の制度を説明し、受講生の個別相談にも応じた",
            ),
        ],
        "transformation": [
            (
                "事業の社会的意義の明確化",
                "収支を試算したことで、受講生が寄付頼みではない続け方を考えるようになった",
            ),
            (
                "課題の再設定により、やりたいことが明確に",
                "講師との面談で、想いを事業の言葉に置き換える作業を重ね、事業計画書の骨子ができた",
            ),
        ],
        "process": [
            (
                "プロジェクト推進の後押し",
                "最終回の事業計画の発表に向けて、受講生同士で進み具合を確かめ合う自主勉強会が生まれた",
            ),
            (
                "メンバーのスキルアップ、事業の取り組み姿勢の習得",
                "会計と税務の回で、任意団体のうちから帳簿をつける意味を理解したという声があった",
            ),
        ],
        "resources": [
            (
                "専門家や第三者の意見がきけるチャンス",
                "中小企業診断士の個別相談で、価格の決め方について具体的な助言を受けた",
            ),
            (
                "異なるセクターの人との出会いの場",
                "地元の信用金庫の職員と知り合い、開業資金の相談につながった受講生がいた",
            ),
        ],
        "solution": [
            (
                "事業の社会的意義の明確化",
                "修了生が障害のある人の就労体験カフェを開業し、週3日の営業を続けている",
            ),
            (
                "新たな公共の担い手の成長の促進",
                "修了生の一人が一般社団法人を設立し、放課後の学習支援を有料の事業として始めた",
            ),
        ],
        "learning": [
            (
                "自己変容、成長のきっかけ",
                "会社勤めを続けながら週末に起業の準備をする修了生が、働き方を見直すきっかけになったと語った",
            ),
            (
                "ロールモデルの出現",
                "先輩の修了生の体験談を聞き、「自分にもできるかもしれない」と感じた受講生が多かった",
            ),
        ],
        "community": [
            (
                "新しい活動の仲間やネットワークとの出会いの場",
                "修了生どうしの交流が続き、互いの商品やサービスを紹介し合っている",
            ),
            (
                "地域活動が今後も生まれる土壌の醸成",
                "講座をきっかけに、地域で小さな事業を始めた人が年に数人ずつ増えている",
            ),
        ],
    },
    "festa": {
        "governance": [
            (
                "市の御墨付き",
                "市長があいさつで協働のまちづくりに触れ、出展団体にとって市の事業である安心感につながった",
            ),
            ("市民への情報発信の場", "市の各課がブースを出し、協働事業の成果を来場者に直接紹介した"),
        ],
        "transformation": [
            (
                "プロジェクト推進のマイルストーン",
                "フェスタでの発表が一つの目標となり、準備の過程で自分の考えをまとめることができた",
            ),
            (
                "課題の再設定の必要性を知る場",
                "来場者の質問に答えられなかったことで、誰に届けたいのかを考え直すきっかけになった",
            ),
        ],
        "process": [
            (
                "プロジェクト推進のマイルストーン",
                "発表に向けて練習会を2回開き、センター職員が伝え方を一緒に整理した",
            ),
            (
                "プロジェクト推進のマイルストーン",
                "発表の締め切りが決まっていたことで、プランをまとめる作業が一気に進んだ",
            ),
        ],
        "resources": [
            (
                "活動の仲間やサポーターを得る場",
                "ブースを訪れたデザイナーがプロボノとして協力を申し出て、団体のロゴを一緒につくった",
            ),
            (
                "異なるセクターの人との出会いの場",
                "地元企業の社会貢献担当者と名刺を交換し、翌月に物品の寄付が決まった",
            ),
        ],
        "solution": [
            (
                "共感者を増やす場",
                "発表を聞いた町会長の声かけで、空き家を使った居場所づくりが町会の協力を得て動き出した",
            ),
            ("共感者を増やす場", "来場者アンケートで、地域の課題を初めて知ったという回答が半数を超えた"),
        ],
        "learning": [
            (
                "自己変容のきっかけ",
                "初めて人前で活動を紹介した団体の若手が、来場者の反応に手応えを感じ、次は自分が企画したいと話した",
            ),
            (
                "異なるセクターの人との出会いの場",
                "学生ボランティアが運営に加わり、地域で活動する大人と話す初めての機会になった",
            ),
        ],
        "community": [
            ("共感者を増やす場", "来場者は約600人で、家族連れが多く、地域活動を知らなかった層に届いた"),
            (
                "活動の仲間やサポーターを得る場",
                "フェスタで知り合った人が同じ思いを持っていると分かり、新しいプロジェクトへとつながった",
            ),
        ],
    },
    "project_support": {
        "governance": [
            (
                "市の御墨付き",
                "プロジェクト登録をしたことで、学校や町会に協力をお願いするときに話を聞いてもらいやすくなった",
            ),
            (
                "選考・評価への市の参画",
                "中間の相談会に担当課が同席し、公共施設を使う手続きの相談がその場で進んだ",
            ),
        ],
        "transformation": [
            (
                "資料を作成することで自分のやりたいことが明確化",
                "登録の申請書を書くなかで、活動の目的と対象をはっきり言葉にできた",
            ),
            (
                "事業の社会的意義の明確化",
                "メンターの指摘を受けて、参加者数ではなく参加者の変化を目標に置き直した",
            ),
        ],
        "process": [
            (
                "プロジェクトの推進のきっかけ、支援",
                "月1回の伴走面談で次の一手を決めることを続け、半年で3回の試行を実施できた",
            ),
            (
                "プロジェクトの推進のきっかけ、支援",
                "チラシとSNSの相談会で発信の計画を立て、参加者の募集が初めて定員に達した",
            ),
        ],
        "resources": [
            (
                "専門家や第三者の意見がきけるチャンス",
                "会計の専門家の助言で、助成金の申請に必要な収支予算書をつくることができた",
            ),
            (
                "地域のつながりづくりのサポート",
                "センターの紹介で地区の社会福祉協議会とつながり、会場と広報の協力が得られた",
            ),
        ],
        "solution": [
            (
                "新たな公共の担い手の成長の促進",
                "支援を受けた子どもの学習支援教室が、地区センターの定期利用団体として登録された",
            ),
            (
                "新たな公共の担い手の成長の促進",
                "認知症カフェの立ち上げを支援し、地域包括支援センターとの連携が始まった",
            ),
        ],
        "learning": [
            (
                "スタッフのマインドチェンジへ寄与",
                "メンバーの役割分担を話し合ったことで、代表一人に頼らない運営に変わった",
            ),
            (
                "メンバーのスキルアップ、事業の取り組み姿勢の習得",
                "ふりかえりの記録をつける習慣がつき、次の企画に前回の反省を生かせるようになった",
            ),
        ],
        "community": [
            (
                "地域のネットワークの醸成",
                "支援したプロジェクトの催しに延べ300人が参加し、地域の新しい集いの場になった",
            ),
            ("地域のネットワークの醸成", "登録プロジェクトどうしが会場や備品を貸し借りするようになった"),
        ],
    },
    "pr_fair": {
        "governance": [
            (
                "市民への情報発信の場",
                "市役所ロビーで開いたことで、手続きに来た市民が団体の活動を知る機会になった",
            ),
            (
                "市の取り組み姿勢の外部への発信",
                "市の広報紙の特集と合わせて開催し、協働の取り組みを市全体に発信した",
            ),
        ],
        "transformation": [
            (
                "情報発信",
                "展示の準備で活動を一枚のパネルにまとめたことが、団体の紹介文を見直すきっかけになった",
            ),
            (
                "情報発信",
                "来場者から「どうすれば参加できるのか」と何度も聞かれ、入会の案内をつくり直した団体があった",
            ),
        ],
        "process": [
            (
                "情報発信",
                "センター職員がパネルの文章の添削を行い、専門用語を減らした分かりやすい展示になった",
            ),
            (
                "情報発信",
                "出展団体向けの説明会で写真の選び方と掲示の工夫を伝え、初出展の団体も準備を進められた",
            ),
        ],
        "resources": [
            (
                "活動の仲間やサポーターを得る場",
                "ブースで活動を知った市民5人が、その場でボランティア登録をした",
            ),
            (
                "異なるセクターの人との出会いの場",
                "隣のブースの団体と話が弾み、翌月から合同で清掃活動を行うことになった",
            ),
        ],
        "solution": [
            ("共感者を増やす場", "外国人住民の支援団体の展示を見た市民が、やさしい日本語の研修に参加した"),
            ("共感者を増やす場", "フードドライブの呼びかけに応じて、会期中に約120キロの食品が集まった"),
        ],
        "learning": [
            (
                "地域での活動のきっかけを提供",
                "地域で何かしたいと思っていた来場者が、手伝いを必要としている団体と出会い、活動に加わった",
            ),
            (
                "地域での活動のきっかけを提供",
                "定年を迎えた来場者が、複数の団体の話を聞き比べて自分に合う活動を選べたと話していた",
            ),
        ],
        "community": [
            ("市民への情報発信の場", "2日間で約900人が来場し、出展団体の約半数が新しい会員や協力者を得た"),
            ("地域のネットワークの醸成", "出展団体どうしの連絡会が生まれ、翌年の企画を一緒に考えている"),
        ],
    },
    "networking": {
        "governance": [
            (
                "協働推進の意識改革、風土改革",
                "市の職員が個人として参加し、業務では会えない団体の人と率直に話す機会になった",
            ),
            (
                "関係課とのつながり",
                "高齢福祉課の担当者と見守り活動の団体がつながり、情報交換の場が定例化した",
            ),
        ],
        "transformation": [
            (
                "取り組みのヒントを得る場",
                "他の団体の会員募集の工夫を聞き、自分たちの団体でも体験会を開くことにした",
            ),
            (
                "取り組みのヒントを得る場",
                "資金集めに悩む団体が、クラウドファンディングを経験した団体から具体的な手順を教わった",
            ),
        ],
        "process": [
            (
                "相互支援の基盤の構築",
                "テーマごとのテーブルに分けたことで、同じ悩みを持つ団体どうしが話しやすくなった",
            ),
            (
                "相互支援の基盤の構築",
                "センター職員が団体どうしを紹介して回り、初参加の団体も輪に入ることができた",
            ),
        ],
        "resources": [
            (
                "地元の企業との協働",
                "地元の印刷会社と子育て団体が出会い、チラシの印刷を協賛で引き受けてもらえた",
            ),
            (
                "商工会議所、商店街とのつながり",
                "商店街の役員と出会った団体が、空き店舗で月1回のサロンを開けるようになった",
            ),
        ],
        "solution": [
            ("地域のネットワークの構築", "子ども食堂どうしの出会いから、食材を融通し合う仕組みができた"),
            ("地域のネットワークの構築", "防災と福祉の団体が知り合い、要支援者の避難訓練を合同で行った"),
        ],
        "learning": [
            (
                "地域との関わり方を学ぶ",
                "長く活動している団体の話から、地域の町会と付き合うときの作法を学んだという声があった",
            ),
            (
                "活動の仲間と出会う場",
                "一人で活動していた参加者が、同じ地区で活動する仲間を見つけ、心強くなったと話した",
            ),
        ],
        "community": [
            (
                "地域のネットワークの醸成",
                "毎回40人前後が集まり、団体・企業・行政の顔の見える関係が広がっている",
            ),
            (
                "相互支援の基盤の構築",
                "交流会で知り合った団体どうしが互いの催しに出向き、手伝い合うようになった",
            ),
        ],
    },
    "roundtable": {
        "governance": [
            (
                "市の取り組みの紹介、市民との対話に参加",
                "都市計画課が空き家対策の現状を説明し、住民と団体から活用の提案を受けた",
            ),
            (
                "地域での役割の明確化",
                "円卓に市・社会福祉協議会・町会が並び、居場所づくりでそれぞれが担うことを確認した",
            ),
        ],
        "transformation": [
            (
                "地域の資源への気づきを促す",
                "参加者が地区の地図に使える場所を書き込み、身近な資源が多いことに気づいた",
            ),
            (
                "地域での役割の明確化",
                "議論を通じて、町会が場所を、団体が運営を、市が広報を担う分担が見えてきた",
            ),
        ],
        "process": [
            (
                "地域での役割の明確化",
                "センターが論点を事前に整理して配ったことで、限られた時間でも結論まで話し合えた",
            ),
            (
                "相互支援の基盤の構築",
                "会議の記録をセンターがまとめて共有し、次回までの宿題が参加者の間で明確になった",
            ),
        ],
        "resources": [
            (
                "地域のネットワークの構築",
                "空き家の所有者と子育て団体が円卓で出会い、試しに半年間の貸し出しが決まった",
            ),
            ("地元の企業との協働", "地元の工務店が円卓に加わり、居場所の改修を実費で引き受けると申し出た"),
        ],
        "solution": [
            (
                "地域活動が今後も生まれる土壌の醸成",
                "中高生の居場所を話し合った円卓から、公民館の夜間開放の試行が始まった",
            ),
            (
                "地域活動が今後も生まれる土壌の醸成",
                "話し合いの結果を地区の計画に反映するよう、町会連合会が市に要望書を出した",
            ),
        ],
        "learning": [
            (
                "地域との関わり方を学ぶ",
                "立場の違う人の意見を最後まで聞く進め方に、初めての参加者が手応えを感じていた",
            ),
            (
                "アクションを通じた地域活動推進の取り組み姿勢の醸成",
                "大学生の参加者が議論の記録係を務め、その後も地区の会議に参加している",
            ),
        ],
        "community": [
            ("地域での役割の明確化", "円卓の後、地区の居場所が2か所増え、週に延べ80人ほどが利用している"),
            (
                "地域活動が今後も生まれる土壌の醸成",
                "円卓に参加した住民が自主的な勉強会を立ち上げ、月1回集まっている",
            ),
        ],
    },
}


@hook("seed_demo")
def seed(*, scale: int, rng: random.Random, out) -> None:
    """Outcome episodes for the fiscal years of the events' demo (six up to the current one, ten at
    the bench's --scale 10), every program and axis.

    Per program, year and axis: one or two episodes of that program's bank (more with a larger
    `scale`, up to the bank's size). It runs after the other apps, so episodes link to the
    program's events of that year, to registered groups and, for プロジェクト支援, to that year's
    registered and supported projects (and their lead groups). The current year's episodes are
    only those of events already held: on 1 April nothing of the new year is recorded yet.
    """
    from events.models import Event, Program
    from groups.models import Group
    from projects.models import Project, ProjectKind
    from reports.models import OutcomeRecord, OutcomeSource
    from reports.selectors import fiscal_year_datetimes

    group_ids = list(Group.objects.order_by("pk").values_list("pk", flat=True)[:200])
    sources = [
        OutcomeSource.INTERVIEW,
        OutcomeSource.INTERVIEW,
        OutcomeSource.SURVEY,
        OutcomeSource.OBSERVATION,
    ]
    now = timezone.now()
    current = current_fiscal_year()
    years = range(current - demo_years_back(scale), current + 1)
    created = 0
    for fiscal_year in years:
        start, end = fiscal_year_datetimes(fiscal_year)
        projects = list(
            Project.objects.filter(
                fiscal_year=fiscal_year, kind__in=(ProjectKind.REGISTRATION, ProjectKind.SUPPORT)
            )
            .order_by("pk")
            .values_list("pk", "lead_group_id")
        )
        for program in Program.objects.order_by("order", "id"):
            bank = EPISODES.get(program.code)
            if not bank:
                continue
            held = Event.objects.filter(
                program=program, sessions__starts_at__gte=start, sessions__starts_at__lt=min(end, now)
            )
            event_ids = list(held.order_by("pk").values_list("pk", flat=True).distinct()[:50])
            if fiscal_year == current and not event_ids:
                continue  # nothing of this program held yet this year: nothing to tell
            program_projects = projects if program.code == "project_support" else []
            records, links = [], []
            for axis, pairs in bank.items():
                count = min(len(pairs), rng.randint(1, 2) * scale)
                for episode in rng.sample(pairs, k=count):
                    records.append(_episode_record(program, fiscal_year, axis, episode, rng.choice(sources)))
                    project = rng.choice(program_projects) if program_projects else None
                    group_id = (
                        project[1]
                        if project
                        else (rng.choice(group_ids) if group_ids and rng.random() < 0.5 else None)
                    )
                    event_id = rng.choice(event_ids) if event_ids and rng.random() < 0.6 else None
                    links.append((group_id, event_id, project[0] if project else None))
            OutcomeRecord.objects.bulk_create(records)
            _link(OutcomeRecord.groups.through, "group_id", records, [link[0] for link in links])
            _link(OutcomeRecord.events.through, "event_id", records, [link[1] for link in links])
            _link(OutcomeRecord.projects.through, "project_id", records, [link[2] for link in links])
            created += len(records)
    assessed = seed_assessments(
        fiscal_years=range(years[0], current),
        programs=list(Program.objects.order_by("order", "id")),
        rng=rng,
    )
    out.write(
        f"  reports: 成果のエピソード {created}件（{years[0]}〜{years[-1]}年度）、事業の評価 {assessed}件"
    )


def _episode_record(program, fiscal_year: int, axis: str, episode: tuple[str, str], source: str):
    """An episode of EPISODES, (heading, text), as an outcome record of the program's year."""
    from reports.models import OutcomeRecord

    heading, text = episode
    return OutcomeRecord(
        program=program, fiscal_year=fiscal_year, axis=axis, category=heading, episode=text, source=source
    )


def _link(through, column: str, records, targets) -> None:
    through.objects.bulk_create(
        [
            through(outcomerecord_id=record.pk, **{column: target})
            for record, target in zip(records, targets, strict=True)
            if target
        ]
    )


@hook("bench_pages")
def bench_pages(*, scale: int) -> dict:
    """The reports page, seen by center staff."""
    from core.app_hooks import BenchPage
    from core.demo import DEMO_STAFF_EMAIL

    return {"reports_index": BenchPage(path=reverse("reports:index"), as_user=DEMO_STAFF_EMAIL)}


BENCH_PROGRAM = "mirai_taiwa"


BENCH_EVENTS = 200


BENCH_REGISTRATIONS = 5_000


BENCH_OUTCOMES = 300


def bench_fiscal_year() -> int:
    return current_fiscal_year() - 1


@transaction.atomic
def bench_top_up(*, program_code: str = BENCH_PROGRAM, fiscal_year: int | None = None) -> dict[str, int]:
    """Adds data to the program's year until it has the bench's size (idempotent)."""
    from core.models import Person
    from events.models import Event, EventSession, Program, Registration
    from reports.models import OutcomeRecord, OutcomeSource
    from reports.selectors import fiscal_year_datetimes

    year = fiscal_year if fiscal_year is not None else bench_fiscal_year()
    program = Program.objects.get(code=program_code)
    start, _end = fiscal_year_datetimes(year)
    session_model, registration_model = EventSession, Registration
    confirmed = Registration.Status.CONFIRMED
    events = list(
        Event.objects.filter(
            program=program,
            sessions__starts_at__gte=start,
            sessions__starts_at__lt=start + dt.timedelta(days=365),
        ).distinct()
    )
    for index in range(len(events), BENCH_EVENTS):
        event = Event.objects.create(
            program=program, title=f"{program.name} ベンチ第{index + 1}回", capacity=None
        )
        begins = start + dt.timedelta(days=(index * 359) // BENCH_EVENTS, hours=10)
        session_model.objects.create(event=event, starts_at=begins, ends_at=begins + dt.timedelta(hours=2))
        events.append(event)
    existing = registration_model.objects.filter(event__in=events, status=confirmed).count()
    missing = BENCH_REGISTRATIONS - existing
    if missing > 0:
        people = Person.objects.bulk_create(
            [
                Person(name=f"ベンチ 参加者{n}", name_kana=f"べんち さんかしゃ{n}", sort_key=f"べんち{n:06d}")
                for n in range(missing)
            ]
        )
        registration_model.objects.bulk_create(
            [
                registration_model(event=events[n % len(events)], person=person, status=confirmed)
                for n, person in enumerate(people)
            ]
        )
    outcomes = OutcomeRecord.objects.filter(program=program, fiscal_year=year).count()
    # Bench volume, not a story: the episodes of every program, repeated as often as needed.
    pairs = [(axis, pair) for bank in EPISODES.values() for axis, pairs in bank.items() for pair in pairs]
    new_records = []
    for n in range(outcomes, BENCH_OUTCOMES):
        axis, episode = pairs[n % len(pairs)]
        new_records.append(_episode_record(program, year, axis, episode, OutcomeSource.INTERVIEW))
    OutcomeRecord.objects.bulk_create(new_records)
    return {
        "events": len(events),
        "registrations": max(existing, BENCH_REGISTRATIONS),
        "outcomes": max(outcomes, BENCH_OUTCOMES),
    }


@hook("bench_tasks")
def bench_tasks() -> dict:
    """report_program: the ミライ対話 report of last year topped up to 200 events, 5,000
    registrations and 300 episodes; report_all: the all-programs report of the same year."""
    from reports.services import report_render_pdf

    year = bench_fiscal_year()
    bench_top_up(fiscal_year=year)

    def report_program() -> bytes:
        return report_render_pdf(program_code=BENCH_PROGRAM, fiscal_year=year)

    def report_all() -> bytes:
        return report_render_pdf(program_code=None, fiscal_year=year)

    # Targets: a program report under 10 s, the all-programs report under 30 s.
    report_program.limit_seconds = 10
    report_all.limit_seconds = 30
    return {"report_program": report_program, "report_all": report_all}


# --- Demo assessments: what staff write per program and year (総括, 目標, 課題と次年度の方針) ------------

ASSESSMENT_TARGETS = {
    "mirai_taiwa": {
        "events.sessions_held": 4,
        "events.unique_participants": 80,
        "events.first_time_participants": 30,
    },
    "alp": {"events.sessions_held": 5, "events.unique_participants": 20, "events.completions": 16},
    "social_startup": {"events.sessions_held": 3, "events.unique_participants": 25, "events.completions": 20},
    "festa": {"events.sessions_held": 1, "events.unique_participants": 120},
    "project_support": {"projects.supported": 2, "projects.support_sessions": 12},
    "pr_fair": {"events.unique_participants": 40},
    "networking": {"events.sessions_held": 3, "events.unique_participants": 90},
    "roundtable": {"events.sessions_held": 2, "events.unique_participants": 50},
}
ASSESSMENT_SUMMARIES = (
    "{program}は予定どおり実施でき、参加者アンケートでは「地域の仲間に出会えた」という声が多く寄せられた。"
    "一方で、子育て世代や若い世代の参加は少なく、平日昼間の開催では届かない層があることが分かった。",
    "{program}を通じて、これまでセンターとつながりのなかった人が地域活動に関わるきっかけが生まれた。"
    "参加者同士のつながりが次の事業への参加につながる例も見られた。",
)
ASSESSMENT_ISSUES = (
    "参加者の年代に偏りがある。次年度は夜間・オンラインの回を設け、子育て中の人も参加できるよう託児を用意する。",
    "参加後の継続的な関わりが弱い。次年度は参加者の次の一歩（ALP・プロジェクト登録）を個別に案内する。",
)
ALL_PROGRAMS_SUMMARY = (
    "センター全体として、ミライ対話からALP、プロジェクト登録・支援へと進む人が毎年一定数生まれており、"
    "担い手育成の入口として機能している。関係課・社会福祉協議会とのつなぎも増えた。"
)
ALL_PROGRAMS_ISSUES = (
    "事業間の案内が職員個人に頼っている。次年度は参加者の歩みを記録し、次の事業への案内を仕組みにする。"
)


def seed_assessments(*, fiscal_years, programs, rng) -> int:
    """An assessment for 全事業 and every program of each finished year (the current one is
    still being written: left empty, as in April)."""
    from reports.models import Assessment

    rows = []
    for year in fiscal_years:
        rows.append(
            Assessment(
                program=None,
                fiscal_year=year,
                summary=ALL_PROGRAMS_SUMMARY,
                issues=ALL_PROGRAMS_ISSUES,
                targets={"events.unique_participants": 150, "events.sessions_held": 20},
            )
        )
        for program in programs:
            rows.append(
                Assessment(
                    program=program,
                    fiscal_year=year,
                    summary=rng.choice(ASSESSMENT_SUMMARIES).format(program=program.name),
                    issues=rng.choice(ASSESSMENT_ISSUES),
                    targets=dict(ASSESSMENT_TARGETS.get(program.code, {})),
                )
            )
    # A second seeding (the same-seed test, `seed_demo` run again) keeps the first assessments.
    Assessment.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
