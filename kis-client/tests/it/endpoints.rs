//! Hand-written `Endpoint` impls shaped like the generated ones (quote GET, paged balance GET,
//! order POST `…U`, a real-only endpoint), so the runtime is tested independently of codegen.

use kis_client::endpoint::{
    Endpoint, EndpointInfo, HttpMethod, PagedResponse, PagingEnd, PagingScheme, PagingSpec, TrIds,
};
use serde::{Deserialize, Serialize};

/// Domestic stock quote (`FHKST01010100`, real and paper).
#[derive(Serialize, Debug, Clone)]
pub struct InquirePrice {
    #[serde(rename = "FID_COND_MRKT_DIV_CODE")]
    pub market: String,
    #[serde(rename = "FID_INPUT_ISCD")]
    pub code: String,
}

impl InquirePrice {
    pub fn new(code: &str) -> Self {
        Self {
            market: "J".into(),
            code: code.into(),
        }
    }
}

#[derive(Deserialize, Debug)]
pub struct PriceResponse {
    pub rt_cd: String,
    pub msg_cd: String,
    pub output: PriceOutput,
}

#[derive(Deserialize, Debug)]
pub struct PriceOutput {
    pub stck_prpr: String,
}

pub const PRICE_PATH: &str = "/uapi/domestic-stock/v1/quotations/inquire-price";

impl Endpoint for InquirePrice {
    type Response = PriceResponse;
    const INFO: &'static EndpointInfo = &EndpointInfo {
        id: "inquire_price",
        category: "domestic_stock",
        api_id: "v1_국내주식-008",
        name: "주식현재가 시세",
        method: HttpMethod::Get,
        path: PRICE_PATH,
        paging: None,
        fields: &[],
        variants: &[],
    };
    fn tr_ids(&self) -> TrIds {
        TrIds {
            real: Some("FHKST01010100"),
            paper: Some("FHKST01010100"),
        }
    }
}

/// Domestic stock balance (`TTTC8434R`/`VTTC8434R`), paging with `CTX_AREA_*100`.
#[derive(Serialize, Debug, Clone, Default)]
pub struct InquireBalance {
    #[serde(rename = "CANO")]
    pub cano: String,
    #[serde(rename = "ACNT_PRDT_CD")]
    pub acnt_prdt_cd: String,
    #[serde(rename = "AFHR_FLPR_YN")]
    pub afhr_flpr_yn: String,
    #[serde(rename = "OFL_YN")]
    pub ofl_yn: String,
    #[serde(rename = "INQR_DVSN")]
    pub inqr_dvsn: String,
    #[serde(rename = "UNPR_DVSN")]
    pub unpr_dvsn: String,
    #[serde(rename = "FUND_STTL_ICLD_YN")]
    pub fund_sttl_icld_yn: String,
    #[serde(rename = "FNCG_AMT_AUTO_RDPT_YN")]
    pub fncg_amt_auto_rdpt_yn: String,
    #[serde(rename = "PRCS_DVSN")]
    pub prcs_dvsn: String,
    #[serde(rename = "CTX_AREA_FK100")]
    pub ctx_area_fk100: String,
    #[serde(rename = "CTX_AREA_NK100")]
    pub ctx_area_nk100: String,
}

impl InquireBalance {
    pub fn new() -> Self {
        Self {
            afhr_flpr_yn: "N".into(),
            inqr_dvsn: "02".into(),
            unpr_dvsn: "01".into(),
            fund_sttl_icld_yn: "N".into(),
            fncg_amt_auto_rdpt_yn: "N".into(),
            prcs_dvsn: "00".into(),
            ..Self::default()
        }
    }
}

#[derive(Deserialize, Debug)]
pub struct BalanceResponse {
    pub output1: Vec<BalanceRow>,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct BalanceRow {
    pub pdno: String,
    pub hldg_qty: String,
}

impl PagedResponse for BalanceResponse {
    type Row = BalanceRow;
    fn take_rows(&mut self) -> Vec<BalanceRow> {
        std::mem::take(&mut self.output1)
    }
}

pub const BALANCE_PATH: &str = "/uapi/domestic-stock/v1/trading/inquire-balance";

impl Endpoint for InquireBalance {
    type Response = BalanceResponse;
    const INFO: &'static EndpointInfo = &EndpointInfo {
        id: "inquire_balance",
        category: "domestic_stock",
        api_id: "v1_국내주식-006",
        name: "주식잔고조회",
        method: HttpMethod::Get,
        path: BALANCE_PATH,
        paging: Some(PagingSpec {
            scheme: PagingScheme::CtxArea,
            request: &["CTX_AREA_FK100", "CTX_AREA_NK100"],
            response: &["ctx_area_fk100", "ctx_area_nk100"],
            next: &[],
            end: PagingEnd::TrCont,
            rows: Some("output1"),
            page_size: None,
        }),
        fields: &[],
        variants: &[],
    };
    fn tr_ids(&self) -> TrIds {
        TrIds {
            real: Some("TTTC8434R"),
            paper: Some("VTTC8434R"),
        }
    }
    fn fill_account(&mut self, cano: &str, product_code: &str) {
        if self.cano.is_empty() {
            self.cano = cano.into();
        }
        if self.acnt_prdt_cd.is_empty() {
            self.acnt_prdt_cd = product_code.into();
        }
    }
}

/// Cash order, buy variant (`TTTC0012U`/`VTTC0012U`).
#[derive(Serialize, Debug, Clone, Default)]
pub struct OrderCash {
    #[serde(rename = "CANO")]
    pub cano: String,
    #[serde(rename = "ACNT_PRDT_CD")]
    pub acnt_prdt_cd: String,
    #[serde(rename = "PDNO")]
    pub pdno: String,
    #[serde(rename = "ORD_DVSN")]
    pub ord_dvsn: String,
    #[serde(rename = "ORD_QTY")]
    pub ord_qty: String,
    #[serde(rename = "ORD_UNPR")]
    pub ord_unpr: String,
}

impl OrderCash {
    pub fn buy(code: &str, qty: u32, price: u32) -> Self {
        Self {
            pdno: code.into(),
            ord_dvsn: "00".into(),
            ord_qty: qty.to_string(),
            ord_unpr: price.to_string(),
            ..Self::default()
        }
    }
}

#[derive(Deserialize, Debug)]
pub struct OrderResponse {
    pub rt_cd: String,
    pub output: OrderOutput,
}

#[derive(Deserialize, Debug)]
pub struct OrderOutput {
    #[serde(rename = "ODNO")]
    pub odno: String,
}

pub const ORDER_PATH: &str = "/uapi/domestic-stock/v1/trading/order-cash";

impl Endpoint for OrderCash {
    type Response = OrderResponse;
    const INFO: &'static EndpointInfo = &EndpointInfo {
        id: "order_cash",
        category: "domestic_stock",
        api_id: "v1_국내주식-001",
        name: "주식주문(현금)",
        method: HttpMethod::Post,
        path: ORDER_PATH,
        paging: None,
        fields: &[],
        variants: &[],
    };
    fn tr_ids(&self) -> TrIds {
        TrIds {
            real: Some("TTTC0012U"),
            paper: Some("VTTC0012U"),
        }
    }
    fn fill_account(&mut self, cano: &str, product_code: &str) {
        if self.cano.is_empty() {
            self.cano = cano.into();
        }
        if self.acnt_prdt_cd.is_empty() {
            self.acnt_prdt_cd = product_code.into();
        }
    }
}

/// An endpoint that exists only on the real service.
#[derive(Serialize, Debug, Clone)]
pub struct RealOnly {
    #[serde(rename = "FID_INPUT_ISCD")]
    pub code: String,
}

impl Endpoint for RealOnly {
    type Response = serde_json::Value;
    const INFO: &'static EndpointInfo = &EndpointInfo {
        id: "real_only_quote",
        category: "domestic_stock",
        api_id: "test",
        name: "real only",
        method: HttpMethod::Get,
        path: "/uapi/domestic-stock/v1/quotations/real-only",
        paging: None,
        fields: &[],
        variants: &[],
    };
    fn tr_ids(&self) -> TrIds {
        TrIds {
            real: Some("FHKST99999999"),
            paper: None,
        }
    }
}
