//! Every user-visible string of the theme and the generated pages, in English and Chinese
//! (topic pages as `t`, study pages as `ts`).

use serde::Serialize;

use crate::config::Language;

#[derive(Debug, Clone, Serialize)]
pub struct Strings {
    pub skip_to_content: String,
    pub contents: String,
    pub on_this_page: String,
    pub topics: String,
    pub tags: String,
    pub all_tags: String,
    pub tagged: String,
    pub learn_first: String,
    pub referenced_by: String,
    pub previous: String,
    pub next: String,
    /// What previous/next follow: the study order, or the contents.
    pub in_study_order: String,
    pub in_contents_order: String,
    pub home: String,
    pub a_to_z: String,
    pub study_order: String,
    pub study_order_intro: String,
    /// "1 interview question", "3 interview questions": the label after a count of one, of others.
    pub questions_one: String,
    pub questions: String,
    pub question: String,
    pub print_view: String,
    pub edit_page: String,
    pub not_found: String,
    pub not_found_text: String,
    pub search: String,
    pub search_placeholder: String,
    pub no_results: String,
    pub search_results_one: String,
    pub search_results: String,
    pub search_unavailable: String,
    pub search_shortcut: String,
    pub theme_toggle: String,
    pub toggle_sidebar: String,
    pub permalink: String,
    /// The title of a link to a note not written yet.
    pub not_written_yet: String,
    /// Before a page's `updated` date.
    pub updated: String,
    /// Under a `mermaid` fence, which is shown as its source.
    pub mermaid_note: String,
    pub pages_count_one: String,
    pub pages_count: String,
    pub note: String,
    pub tip: String,
    pub important: String,
    pub warning: String,
    pub caution: String,
    /// The mark on a code block that `studybook test` runs.
    pub tested: String,
    /// The label of a block's expected output.
    pub output: String,
}

impl Strings {
    pub fn for_language(language: Language) -> Strings {
        let s = |en: &str, zh: &str| match language {
            Language::En => en.to_string(),
            Language::ZhCn => zh.to_string(),
        };
        Strings {
            skip_to_content: s("Skip to content", "跳到正文"),
            contents: s("Contents", "目录"),
            on_this_page: s("On this page", "本页内容"),
            topics: s("Topics", "主题"),
            tags: s("Tags", "标签"),
            all_tags: s("All tags", "全部标签"),
            tagged: s("Pages tagged", "标签"),
            learn_first: s("Learn first", "先学"),
            referenced_by: s("Referenced by", "被引用于"),
            previous: s("Previous", "上一篇"),
            next: s("Next", "下一篇"),
            in_study_order: s(
                "Previous and next follow the study order: each topic after what it builds on.",
                "上一篇和下一篇按学习顺序排列：每个主题都在它的前置主题之后。",
            ),
            in_contents_order: s(
                "Previous and next follow the order of the contents.",
                "上一篇和下一篇按目录顺序排列。",
            ),
            home: s("Home", "首页"),
            a_to_z: s("A–Z", "索引 A–Z"),
            study_order: s("Study order", "学习顺序"),
            study_order_intro: s(
                "Every topic after the topics it builds on.",
                "每个主题都排在它的前置主题之后。",
            ),
            questions_one: s("interview question", "道面试题"),
            questions: s("interview questions", "道面试题"),
            question: s("Q", "问"),
            print_view: s("Print view", "打印版"),
            edit_page: s("Edit this page", "编辑本页"),
            not_found: s("Page not found", "页面不存在"),
            not_found_text: s("There is no page at this address.", "这个地址没有页面。"),
            search: s("Search", "搜索"),
            search_placeholder: s("Search topics…", "搜索主题…"),
            no_results: s("No results", "没有结果"),
            search_results_one: s("result", "条结果"),
            search_results: s("results", "条结果"),
            search_unavailable: s(
                "The search index is missing: rebuild the site",
                "找不到搜索索引：请重新构建网站",
            ),
            search_shortcut: s("Search (press / or s)", "搜索（按 / 或 s）"),
            theme_toggle: s("Toggle dark mode", "切换深色模式"),
            toggle_sidebar: s("Toggle the topic list", "显示或隐藏主题列表"),
            permalink: s("Link to this section", "本节链接"),
            updated: s("Updated", "更新于"),
            not_written_yet: s("Not written yet", "尚未撰写"),
            mermaid_note: s(
                "A Mermaid diagram, shown as its source.",
                "Mermaid 图表（显示为源代码）。",
            ),
            pages_count_one: s("page", "篇"),
            pages_count: s("pages", "篇"),
            note: s("Note", "注意"),
            tip: s("Tip", "提示"),
            important: s("Important", "重要"),
            warning: s("Warning", "警告"),
            caution: s("Caution", "小心"),
            tested: s("tested", "已测试"),
            output: s("Output", "输出"),
        }
    }
}

/// Labels of the study pages, in the site's language; templates see them as `ts`.
#[derive(Debug, Clone, Serialize)]
pub struct StudyStrings {
    practice: &'static str,
    practice_intro: &'static str,
    glossary: &'static str,
    glossary_intro: &'static str,
    latin_names: &'static str,
    cjk_names: &'static str,
    same_as: &'static str,
    /// The study-order page (the map); `t.study_order` is the index's in-page list.
    study_map: &'static str,
    depth: &'static str,
    category: &'static str,
    tag: &'static str,
    topic: &'static str,
    all: &'static str,
    show: &'static str,
    due_today: &'static str,
    new_cards: &'static str,
    all_cards: &'static str,
    shuffle: &'static str,
    previous: &'static str,
    next: &'static str,
    show_answer: &'static str,
    again: &'static str,
    hard: &'static str,
    good: &'static str,
    easy: &'static str,
    open_in_page: &'static str,
    progress: &'static str,
    export_progress: &'static str,
    import_progress: &'static str,
    keys_help: &'static str,
    no_cards: &'static str,
    prerequisite_graph: &'static str,
    zoom_in: &'static str,
    zoom_out: &'static str,
    zoom_fit: &'static str,
    visited: &'static str,
    practised: &'static str,
    mastered: &'static str,
    /// Messages the practice page's script shows; `{name}` marks what it fills in.
    msg_due: &'static str,
    msg_next_review_on: &'static str,
    msg_next_review: &'static str,
    msg_not_saved: &'static str,
    msg_import_refused: &'static str,
    msg_unreadable: &'static str,
    msg_imported: &'static str,
    msg_import_failed: &'static str,
    msg_under_a_day: &'static str,
    msg_days: &'static str,
}

impl StudyStrings {
    pub fn for_language(language: Language) -> StudyStrings {
        let en = language == Language::En;
        let s = |a: &'static str, b: &'static str| if en { a } else { b };
        StudyStrings {
            practice: s("Practice", "练习"),
            practice_intro: s(
                "Every interview question of the site as a card. Rate yourself after revealing the answer; cards come back on the SM-2 schedule. Progress stays in this browser.",
                "全站面试题做成卡片。看答案后给自己打分，卡片按 SM-2 算法安排复习。进度只保存在本浏览器中。",
            ),
            glossary: s("Glossary", "术语表"),
            glossary_intro: s(
                "Every topic title and alias, with its names in the other script beside it.",
                "所有主题名称与别名，并列出另一种文字的名称。",
            ),
            latin_names: s("English", "英文"),
            cjk_names: s("中文", "中文"),
            same_as: s("Topic", "主题"),
            study_map: s("Study map", "学习地图"),
            depth: s("Step", "阶段"),
            category: s("Category", "分类"),
            tag: s("Tag", "标签"),
            topic: s("Topic", "主题"),
            all: s("All", "全部"),
            show: s("Show", "显示"),
            due_today: s("Due today", "今日到期"),
            new_cards: s("New", "新卡片"),
            all_cards: s("All cards", "全部卡片"),
            shuffle: s("Shuffle", "打乱"),
            previous: s("Previous", "上一张"),
            next: s("Next", "下一张"),
            show_answer: s("Show answer", "显示答案"),
            again: s("Again", "重来"),
            hard: s("Hard", "困难"),
            good: s("Good", "良好"),
            easy: s("Easy", "简单"),
            open_in_page: s("Open in its page", "在原页面打开"),
            progress: s("Progress", "进度"),
            export_progress: s("Export progress", "导出进度"),
            import_progress: s("Import progress", "导入进度"),
            keys_help: s(
                "Keys: Space shows the answer, 1–4 rate it, ← → move between cards.",
                "快捷键：空格显示答案，1–4 打分，← → 切换卡片。",
            ),
            no_cards: s("No cards match.", "没有符合条件的卡片。"),
            prerequisite_graph: s(
                "Prerequisite map: each arrow runs from a topic to one that builds on it. Scroll or zoom inside the frame.",
                "前置关系图：箭头从一个主题指向以它为基础的主题。可在框内滚动或缩放。",
            ),
            zoom_in: s("Zoom in", "放大"),
            zoom_out: s("Zoom out", "缩小"),
            zoom_fit: s("Fit", "适应宽度"),
            visited: s("visited", "已读"),
            practised: s("practised", "已练习"),
            mastered: s("mastered", "已掌握"),
            msg_due: s("due", "待复习"),
            msg_next_review_on: s("next review {date}", "下次复习 {date}"),
            msg_next_review: s("Next review: {when}", "下次复习：{when}"),
            msg_not_saved: s("Progress could not be saved: {reason}", "进度未能保存：{reason}"),
            msg_import_refused: s(
                "Import refused, nothing changed: {file} is {reason}.",
                "导入被拒绝，未做任何更改：{file} 不可用（{reason}）。",
            ),
            msg_unreadable: s(
                "Import refused, nothing changed: the file could not be read.",
                "导入被拒绝，未做任何更改：无法读取文件。",
            ),
            msg_imported: s("Imported {n} cards from {file}.", "已从 {file} 导入 {n} 张卡片。"),
            msg_import_failed: s("Import failed, nothing changed: {reason}", "导入失败，未做任何更改：{reason}"),
            msg_under_a_day: s("<1d", "<1天"),
            msg_days: s("{n}d", "{n}天"),
        }
    }
}
