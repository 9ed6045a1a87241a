//! Every user-visible string of the theme and the generated pages, in English and Chinese.
//! Templates see them as `t`.

use serde::Serialize;

use crate::config::Language;
use crate::render::CalloutKind;

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
    pub home: String,
    pub a_to_z: String,
    pub study_order: String,
    pub study_order_intro: String,
    pub questions: String,
    pub question: String,
    pub print_view: String,
    pub edit_page: String,
    pub not_found: String,
    pub not_found_text: String,
    pub search: String,
    pub search_placeholder: String,
    pub no_results: String,
    pub search_results: String,
    pub search_unavailable: String,
    pub search_shortcut: String,
    pub theme_toggle: String,
    pub toggle_sidebar: String,
    pub permalink: String,
    pub pages_count: String,
    pub note: String,
    pub tip: String,
    pub important: String,
    pub warning: String,
    pub caution: String,
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
            home: s("Home", "首页"),
            a_to_z: s("A–Z", "索引 A–Z"),
            study_order: s("Study order", "学习顺序"),
            study_order_intro: s(
                "Every topic after the topics it builds on.",
                "每个主题都排在它的前置主题之后。",
            ),
            questions: s("Interview questions", "面试题"),
            question: s("Q", "问"),
            print_view: s("Print view", "打印版"),
            edit_page: s("Edit this page", "编辑本页"),
            not_found: s("Page not found", "页面不存在"),
            not_found_text: s("There is no page at this address.", "这个地址没有页面。"),
            search: s("Search", "搜索"),
            search_placeholder: s("Search topics…", "搜索主题…"),
            no_results: s("No results", "没有结果"),
            search_results: s("results", "条结果"),
            search_unavailable: s(
                "The search index is missing: rebuild the site",
                "找不到搜索索引：请重新构建网站",
            ),
            search_shortcut: s("Search (press / or s)", "搜索（按 / 或 s）"),
            theme_toggle: s("Toggle dark mode", "切换深色模式"),
            toggle_sidebar: s("Toggle the topic list", "显示或隐藏主题列表"),
            permalink: s("Link to this section", "本节链接"),
            pages_count: s("pages", "篇"),
            note: s("Note", "注意"),
            tip: s("Tip", "提示"),
            important: s("Important", "重要"),
            warning: s("Warning", "警告"),
            caution: s("Caution", "小心"),
        }
    }

    pub fn callout_label(&self, kind: CalloutKind) -> &str {
        match kind {
            CalloutKind::Note => &self.note,
            CalloutKind::Tip => &self.tip,
            CalloutKind::Important => &self.important,
            CalloutKind::Warning => &self.warning,
            CalloutKind::Caution => &self.caution,
            CalloutKind::Question => &self.question,
        }
    }
}
