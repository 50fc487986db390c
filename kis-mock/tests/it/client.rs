//! `kis_client::mock`: one call starts the simulator and returns a ready client (token and
//! approval key from this simulator; the examples send typed requests through it).

#[tokio::test]
async fn one_call_gives_a_ready_client() {
    let sim = kis_client::mock::start()
        .await
        .expect("the simulator starts");
    let client = sim.client();
    client
        .ensure_token()
        .await
        .expect("a token from the simulator");
    client.approval_key().await.expect("an approval key");
    assert_eq!(client.config().rest_url(), sim.server().rest_url());
    assert_eq!(sim.server().stats().token_issued, 1);
    assert_eq!(sim.server().config().env, kis_mock::MockEnv::Paper);
}
