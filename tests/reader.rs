//! What the reader sees, checked on built output: the scaffolded page, counts in both languages,
//! math in headings outside the page body, Chinese-aware order.

mod common;

use common::Site;

#[test]
fn a_new_page_has_no_placeholder_card_and_one_question_is_singular() {
    let site = Site::empty();
    assert!(site.cli(&["init", "."]).status.success());
    assert!(site
        .cli(&["new", "Receptive Field", "--category", "basics"])
        .status
        .success());
    let out = site.cli(&["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = site.out("basics/receptive-field.html");
    assert!(!page.contains("question-count"), "no question count: {page}");
    assert!(!page.contains("data-question"), "no placeholder question");
    let practice = site.out("practice.html");
    assert!(
        !practice.contains("data-topic=\"basics/receptive-field.html\""),
        "no placeholder card in practice"
    );
    // The starter page has one question: the count reads as one.
    let softmax = site.out("basics/softmax.html");
    assert!(
        softmax.contains(">1 interview question</a>"),
        "{}",
        softmax
            .lines()
            .find(|l| l.contains("question-count"))
            .unwrap_or("no count")
    );

    let toml = std::fs::read_to_string(site.root().join("book.toml")).unwrap();
    site.write(
        "book.toml",
        &toml.replace("language = \"en\"", "language = \"zh-CN\""),
    );
    assert!(site.cli(&["build"]).status.success());
    assert!(site.out("basics/softmax.html").contains(">1 道面试题</a>"));
}
