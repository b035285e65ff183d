//! The statistical tagger in ExtractEntities: an unknown person found by it, and the option
//! that leaves it out.

use rasd_proto::v1::{self, OffsetUnit};
use rasd_tests::TestServer;

/// «عبد الستار الشعيطي» is in no knowledge base and follows no title or quote.
const TEXT: &str = "وقال عبد الستار الشعيطي إن مقاتلين من أسود الشرقية هاجموا قرية الكشمة.";

async fn extract(server: &TestServer, disable_tagger: bool) -> Vec<v1::Mention> {
    server
        .extraction()
        .extract_entities(v1::ExtractEntitiesRequest {
            text: TEXT.to_owned(),
            options: Some(v1::ExtractionOptions {
                offset_unit: OffsetUnit::CodePoint as i32,
                disable_tagger,
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .mentions
}

#[tokio::test]
async fn the_tagger_finds_an_unknown_person_and_the_option_turns_it_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;

    let mentions = extract(&server, false).await;
    let person = mentions
        .iter()
        .find(|m| m.text == "عبد الستار الشعيطي")
        .unwrap_or_else(|| panic!("no mention of the unknown person in {mentions:?}"));
    assert_eq!(person.r#type, v1::EntityType::Pers as i32);
    assert_eq!(person.component, v1::Component::Tagger as i32);
    assert_eq!(person.entity_id, "new/pers/عبد الستار الشعيطي");
    assert!(person.confidence > 0.0 && person.confidence < 1.0);
    // The knowledge base still links what it knows.
    assert!(mentions
        .iter()
        .any(|m| m.entity_id == "org/jaysh-usud-al-sharqiya"));

    let without = extract(&server, true).await;
    assert!(
        without
            .iter()
            .all(|m| m.text != "عبد الستار الشعيطي" && m.component != v1::Component::Tagger as i32),
        "{without:?}"
    );
    assert!(without
        .iter()
        .any(|m| m.entity_id == "org/jaysh-usud-al-sharqiya"));
    server.stop().await;
}
