use crate::support::spawn_app;

const PAGES: [(&str, &str, &str); 4] = [
    ("/", "总览", "Dashboard"),
    ("/models", "模型目录", "Catalog"),
    ("/mappings", "模型映射", "Mapping"),
    ("/simulation", "JWT 模拟", "JWT simulation"),
];

async fn page_text(
    app: &crate::support::TestApp,
    path: &str,
    cookie: &str,
    accept: &str,
) -> String {
    let res = app
        .http
        .get(app.url(path))
        .header("cookie", cookie)
        .header("accept-language", accept)
        .send()
        .await
        .expect("GET page");
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.expect("html")
}

#[tokio::test]
async fn every_page_renders_its_title_and_first_content_on_the_server_in_both_languages() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    for (path, zh, en) in PAGES {
        let html = page_text(&app, path, &cookie, "zh-CN,zh;q=0.9").await;
        assert!(html.contains("<html lang=\"zh-CN\""), "{path}");
        assert!(
            html.contains(&format!("<h1 class=\"page-title\">{zh}")),
            "{path} zh"
        );
        // On a fresh store every list page says it is empty; the simulation
        // page starts with its mint form.
        let first_content = if path == "/simulation" {
            "data-testid=\"mint-panel\""
        } else {
            "data-testid=\"empty-state\""
        };
        assert!(html.contains(first_content), "{path}");

        let html = page_text(&app, path, &cookie, "en-US,en;q=0.9").await;
        assert!(html.contains("<html lang=\"en\""), "{path}");
        assert!(
            html.contains(&format!("<h1 class=\"page-title\">{en}")),
            "{path} en"
        );
        for (href, _, _) in PAGES {
            assert!(
                html.contains(&format!("href=\"{href}\"")),
                "{path} links to {href}"
            );
        }
    }
}

#[tokio::test]
async fn language_cookie_overrides_the_browser_and_the_switch_sets_it() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let html = page_text(&app, "/models", &format!("{cookie}; lang=zh"), "en-US").await;
    assert!(html.contains("模型目录"));

    let res = app.get("/lang/en?next=/models").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/models");
    assert!(res.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .starts_with("lang=en"));

    let off_site = app.get("/lang/en?next=//evil.example").await;
    assert_eq!(off_site.headers()["location"], "/");
}

#[tokio::test]
async fn unknown_pages_say_not_found() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let res = app.get_with_cookie("/no-such-page", &cookie).await;
    assert_eq!(res.status(), 404);
}
