//! ExtractionService: NormalizeText, ExtractEntities, BatchExtractEntities and their bad inputs.

use rasd_proto::v1::{self, OffsetUnit};
use rasd_server::Limits;
use rasd_tests::{assert_bad_field, TestServer};
use tonic::Code;

const TEXT: &str = "قصفت طائرات روسية مواقع لداعش في بادية السخنة، وقال المرصد السوري لحقوق الإنسان إن «قسد» انتشرت بدير الزور 🙂.";

fn slice(text: &str, span: &v1::Span) -> String {
    let (start, end) = (span.start as usize, span.end as usize);
    match OffsetUnit::try_from(span.unit).unwrap() {
        OffsetUnit::Utf8Byte => text[start..end].to_owned(),
        OffsetUnit::Utf16CodeUnit => {
            let units: Vec<u16> = text.encode_utf16().collect();
            String::from_utf16(&units[start..end]).unwrap()
        }
        OffsetUnit::CodePoint => text.chars().skip(start).take(end - start).collect(),
        OffsetUnit::Unspecified => panic!("a response span must say its unit"),
    }
}

async fn extract(
    server: &TestServer,
    text: &str,
    unit: OffsetUnit,
    types: Vec<i32>,
) -> v1::ExtractEntitiesResponse {
    server
        .extraction()
        .extract_entities(v1::ExtractEntitiesRequest {
            text: text.to_owned(),
            options: Some(v1::ExtractionOptions {
                offset_unit: unit as i32,
                types,
                reference_time: None,
                disable_tagger: false,
            }),
        })
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn extract_entities_links_mentions_with_spans_in_every_unit() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    for unit in [
        OffsetUnit::Utf8Byte,
        OffsetUnit::Utf16CodeUnit,
        OffsetUnit::CodePoint,
    ] {
        let response = extract(&server, TEXT, unit, vec![]).await;
        assert_eq!(response.offset_unit, unit as i32);
        assert!(!response.mentions.is_empty());
        let mut last_end = 0;
        for m in &response.mentions {
            let span = m.span.unwrap();
            assert_eq!(span.unit, unit as i32);
            assert!(span.start >= last_end, "mentions overlap");
            last_end = span.end;
            assert_eq!(slice(TEXT, &span), m.text, "{unit:?}");
            assert!(m.confidence > 0.0 && m.confidence <= 1.0);
            assert_ne!(m.component, 0);
        }
        let ids: Vec<&str> = response
            .mentions
            .iter()
            .map(|m| m.entity_id.as_str())
            .collect();
        for id in [
            "org/isis",
            "org/sdf",
            "gpe/deir-ez-zor",
            "org/syrian-observatory-for-human-rights",
        ] {
            assert!(ids.contains(&id), "{id} not in {ids:?}");
        }
        let isis = response
            .mentions
            .iter()
            .find(|m| m.entity_id == "org/isis")
            .unwrap();
        assert_eq!(isis.text, "داعش", "the proclitic stays outside the span");
        assert_eq!(isis.r#type, v1::EntityType::Org as i32);
        assert!(!isis.canonical_name_en.is_empty());
    }
    // Unspecified unit means code points, and the response says so.
    let response = extract(&server, TEXT, OffsetUnit::Unspecified, vec![]).await;
    assert_eq!(response.offset_unit, OffsetUnit::CodePoint as i32);
    server.stop().await;
}

#[tokio::test]
async fn extract_entities_filters_types() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let response = extract(
        &server,
        TEXT,
        OffsetUnit::CodePoint,
        vec![v1::EntityType::Gpe as i32],
    )
    .await;
    assert!(!response.mentions.is_empty());
    assert!(response
        .mentions
        .iter()
        .all(|m| m.r#type == v1::EntityType::Gpe as i32));
    server.stop().await;
}

#[tokio::test]
async fn normalize_text_returns_alignment_in_the_chosen_unit() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let text = "دا.عــش في «الرَّقَّة» ١٢٣";
    for unit in [
        OffsetUnit::Utf8Byte,
        OffsetUnit::Utf16CodeUnit,
        OffsetUnit::CodePoint,
    ] {
        let response = server
            .extraction()
            .normalize_text(v1::NormalizeTextRequest {
                text: text.to_owned(),
                profile: v1::NormalizationProfile::Search as i32,
                offset_unit: unit as i32,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            response.normalized_text.contains("داعش"),
            "{}",
            response.normalized_text
        );
        assert!(response.normalized_text.contains("123"));
        assert_eq!(response.offset_unit, unit as i32);
        assert!(!response.rules.is_empty());
        // Segments are ordered, cover the normalized text, and stay inside the original.
        let normalized_len = match unit {
            OffsetUnit::Utf8Byte => response.normalized_text.len(),
            OffsetUnit::Utf16CodeUnit => response.normalized_text.encode_utf16().count(),
            _ => response.normalized_text.chars().count(),
        } as u32;
        let original_len = match unit {
            OffsetUnit::Utf8Byte => text.len(),
            OffsetUnit::Utf16CodeUnit => text.encode_utf16().count(),
            _ => text.chars().count(),
        } as u32;
        let mut expected_start = 0;
        for s in &response.alignment {
            assert_eq!(s.normalized_start, expected_start);
            assert!(s.normalized_end > s.normalized_start);
            assert!(s.original_start <= s.original_end && s.original_end <= original_len);
            expected_start = s.normalized_end;
        }
        assert_eq!(expected_start, normalized_len);
    }
    // The obfuscated word maps back to its whole original spelling.
    let response = server
        .extraction()
        .normalize_text(v1::NormalizeTextRequest {
            text: text.to_owned(),
            offset_unit: OffsetUnit::CodePoint as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.profile, v1::NormalizationProfile::Search as i32);
    // Normalized «داعش» is [0, 4); its end maps through the segment that holds offset 4.
    let segment = response
        .alignment
        .iter()
        .find(|s| s.normalized_start < 4 && 4 <= s.normalized_end)
        .unwrap();
    assert_eq!(
        segment.normalized_end - segment.normalized_start,
        segment.original_end - segment.original_start
    );
    let end = segment.original_start + (4 - segment.normalized_start);
    assert_eq!(
        end, 7,
        "«دا.عــش» is 7 code points: {:?}",
        response.alignment
    );
    assert_eq!(response.alignment[0].original_start, 0);

    let lucene = server
        .extraction()
        .normalize_text(v1::NormalizeTextRequest {
            text: "أحمد ٱلرقة".to_owned(),
            profile: v1::NormalizationProfile::Lucene as i32,
            skip_alignment: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(lucene.alignment.is_empty());
    assert!(
        lucene.normalized_text.starts_with("احمد ٱ"),
        "Lucene keeps alef wasla: {}",
        lucene.normalized_text
    );
    server.stop().await;
}

#[tokio::test]
async fn batch_extract_answers_each_item() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let ok = v1::ExtractEntitiesRequest {
        text: TEXT.to_owned(),
        options: None,
    };
    let empty = v1::ExtractEntitiesRequest {
        text: "  ".to_owned(),
        options: None,
    };
    let response = server
        .extraction()
        .batch_extract_entities(v1::BatchExtractEntitiesRequest {
            requests: vec![ok.clone(), empty, ok],
        })
        .await
        .unwrap()
        .into_inner();
    use v1::batch_extract_entities_result::Result as R;
    assert_eq!(response.results.len(), 3);
    assert!(matches!(&response.results[0].result, Some(R::Response(r)) if !r.mentions.is_empty()));
    match &response.results[1].result {
        Some(R::Error(status)) => {
            assert_eq!(status.code, Code::InvalidArgument as i32);
            assert!(
                status.message.contains("requests[1].text"),
                "{}",
                status.message
            );
            assert!(!status.details.is_empty());
        }
        other => panic!("expected an error, got {other:?}"),
    }
    assert!(matches!(&response.results[2].result, Some(R::Response(_))));
    server.stop().await;
}

#[tokio::test]
async fn bad_extraction_requests_get_canonical_codes_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_text_bytes: 1000,
        max_batch_items: 2,
        ..Limits::default()
    };
    let server = TestServer::start_with(dir.path(), limits).await;
    let mut client = server.extraction();

    let status = client
        .extract_entities(v1::ExtractEntitiesRequest::default())
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "text");

    let status = client
        .extract_entities(v1::ExtractEntitiesRequest {
            text: "ا".repeat(600),
            options: None,
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::ResourceExhausted, "text");

    let status = client
        .extract_entities(v1::ExtractEntitiesRequest {
            text: TEXT.to_owned(),
            options: Some(v1::ExtractionOptions {
                types: vec![v1::EntityType::Org as i32, 999],
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "options.types[1]");

    let status = client
        .extract_entities(v1::ExtractEntitiesRequest {
            text: TEXT.to_owned(),
            options: Some(v1::ExtractionOptions {
                offset_unit: 42,
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "options.offset_unit");

    let item = v1::ExtractEntitiesRequest {
        text: TEXT.to_owned(),
        options: None,
    };
    let status = client
        .batch_extract_entities(v1::BatchExtractEntitiesRequest {
            requests: vec![item.clone(), item.clone(), item],
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::ResourceExhausted, "requests");

    let status = client
        .normalize_text(v1::NormalizeTextRequest {
            text: TEXT.to_owned(),
            enable_rules: vec!["no_such_rule".to_owned()],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "enable_rules[0]");

    let status = client
        .normalize_text(v1::NormalizeTextRequest {
            text: TEXT.to_owned(),
            profile: 17,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "profile");

    // The server is still healthy after all of that.
    let response = extract(&server, TEXT, OffsetUnit::CodePoint, vec![]).await;
    assert!(!response.mentions.is_empty());
    server.stop().await;
}

/// A request with the field layout of ExtractEntitiesRequest but `text` as raw bytes.
#[derive(Clone, PartialEq, prost::Message)]
struct RawTextRequest {
    #[prost(bytes = "vec", tag = "1")]
    text: Vec<u8>,
}

#[tokio::test]
async fn text_that_is_not_utf8_is_invalid_argument_not_internal() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut grpc = tonic::client::Grpc::new(server.channel.clone());
    grpc.ready().await.unwrap();
    let codec = tonic_prost::ProstCodec::<RawTextRequest, v1::ExtractEntitiesResponse>::default();
    let path = http::uri::PathAndQuery::from_static("/rasd.v1.ExtractionService/ExtractEntities");
    let request = tonic::Request::new(RawTextRequest {
        text: vec![0xd8, 0xaf, 0xff, 0xfe, 0x41],
    });
    let status = grpc.unary(request, path, codec).await.unwrap_err();
    assert_bad_field(&status, Code::InvalidArgument, "text");
    server.stop().await;
}

#[tokio::test]
async fn a_message_over_the_size_limit_is_resource_exhausted() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_message_bytes: 64 * 1024,
        max_text_bytes: 32 * 1024,
        ..Limits::default()
    };
    let server = TestServer::start_with(dir.path(), limits).await;
    let status = server
        .extraction()
        .extract_entities(v1::ExtractEntitiesRequest {
            text: "ا".repeat(100 * 1024),
            options: None,
        })
        .await
        .unwrap_err();
    assert_bad_field(&status, Code::ResourceExhausted, "request");
    // The server goes on serving.
    let response = extract(&server, TEXT, OffsetUnit::CodePoint, vec![]).await;
    assert!(!response.mentions.is_empty());
    server.stop().await;
}
