//! KRX stock masters (`kospi_code.mst`, `kosdaq_code.mst`, `konex_code.mst`): cp949 text, one
//! line per code: short code (9 bytes), standard code (12), the Korean name (variable), then a
//! fixed-width tail of flags whose width depends on the market (KOSPI 227 bytes, KOSDAQ 221,
//! KONEX 184). Layouts as KIS publishes them (`stocks_info/` of its samples).

use chrono::NaiveDate;

use crate::{Instrument, Market, Money, ProductKind, Warning};

/// One tail field: KIS's name and its width in bytes.
type Field = (&'static str, usize);

/// The tail of `kospi_code.mst` (ST_KSP_CODE after the name).
#[rustfmt::skip]
pub(crate) const KOSPI_TAIL: &[Field] = &[
    ("scrt_grp_cls_code", 2), ("avls_scal_cls_code", 1), ("bstp_larg_div_code", 4),
    ("bstp_medm_div_code", 4), ("bstp_smal_div_code", 4), ("mnin_cls_code_yn", 1),
    ("low_current_yn", 1), ("sprn_strr_nmix_issu_yn", 1), ("kospi200_apnt_cls_code", 1),
    ("kospi100_issu_yn", 1), ("kospi50_issu_yn", 1), ("krx_issu_yn", 1), ("etp_prod_cls_code", 1),
    ("elw_pblc_yn", 1), ("krx100_issu_yn", 1), ("krx_car_yn", 1), ("krx_smcn_yn", 1),
    ("krx_bio_yn", 1), ("krx_bank_yn", 1), ("etpr_undt_objt_co_yn", 1), ("krx_enrg_chms_yn", 1),
    ("krx_stel_yn", 1), ("short_over_cls_code", 1), ("krx_medi_cmnc_yn", 1), ("krx_cnst_yn", 1),
    ("krx_fnnc_svc_yn", 1), ("krx_scrt_yn", 1), ("krx_ship_yn", 1), ("krx_insu_yn", 1),
    ("krx_trnp_yn", 1), ("sri_nmix_yn", 1), ("stck_sdpr", 9), ("frml_mrkt_deal_qty_unit", 5),
    ("ovtm_mrkt_deal_qty_unit", 5), ("trht_yn", 1), ("sltr_yn", 1), ("mang_issu_yn", 1),
    ("mrkt_alrm_cls_code", 2), ("mrkt_alrm_risk_adnt_yn", 1), ("insn_pbnt_yn", 1),
    ("byps_lstn_yn", 1), ("flng_cls_code", 2), ("fcam_mod_cls_code", 2), ("icic_cls_code", 2),
    ("marg_rate", 3), ("crdt_able", 1), ("crdt_days", 3), ("prdy_vol", 12), ("stck_fcam", 12),
    ("stck_lstn_date", 8), ("lstn_stcn", 15), ("cpfn", 21), ("stac_month", 2), ("po_prc", 7),
    ("prst_cls_code", 1), ("ssts_hot_yn", 1), ("stange_runup_yn", 1), ("krx300_issu_yn", 1),
    ("kospi_issu_yn", 1), ("sale_account", 9), ("bsop_prfi", 9), ("op_prfi", 9), ("thtr_ntin", 5),
    ("roe", 9), ("base_date", 8), ("prdy_avls_scal", 9), ("grp_code", 3),
    ("co_crdt_limt_over_yn", 1), ("secu_lend_able_yn", 1), ("stln_able_yn", 1),
];

/// The tail of `kosdaq_code.mst` (ST_KSQ_CODE after the name).
#[rustfmt::skip]
pub(crate) const KOSDAQ_TAIL: &[Field] = &[
    ("scrt_grp_cls_code", 2), ("avls_scal_cls_code", 1), ("bstp_larg_div_code", 4),
    ("bstp_medm_div_code", 4), ("bstp_smal_div_code", 4), ("vntr_issu_yn", 1),
    ("low_current_yn", 1), ("krx_issu_yn", 1), ("etp_prod_cls_code", 1), ("krx100_issu_yn", 1),
    ("krx_car_yn", 1), ("krx_smcn_yn", 1), ("krx_bio_yn", 1), ("krx_bank_yn", 1),
    ("etpr_undt_objt_co_yn", 1), ("krx_enrg_chms_yn", 1), ("krx_stel_yn", 1),
    ("short_over_cls_code", 1), ("krx_medi_cmnc_yn", 1), ("krx_cnst_yn", 1), ("invt_alrm_yn", 1),
    ("krx_scrt_yn", 1), ("krx_ship_yn", 1), ("krx_insu_yn", 1), ("krx_trnp_yn", 1),
    ("ksq150_nmix_yn", 1), ("stck_sdpr", 9), ("frml_mrkt_deal_qty_unit", 5),
    ("ovtm_mrkt_deal_qty_unit", 5), ("trht_yn", 1), ("sltr_yn", 1), ("mang_issu_yn", 1),
    ("mrkt_alrm_cls_code", 2), ("mrkt_alrm_risk_adnt_yn", 1), ("insn_pbnt_yn", 1),
    ("byps_lstn_yn", 1), ("flng_cls_code", 2), ("fcam_mod_cls_code", 2), ("icic_cls_code", 2),
    ("marg_rate", 3), ("crdt_able", 1), ("crdt_days", 3), ("prdy_vol", 12), ("stck_fcam", 12),
    ("stck_lstn_date", 8), ("lstn_stcn", 15), ("cpfn", 21), ("stac_month", 2), ("po_prc", 7),
    ("prst_cls_code", 1), ("ssts_hot_yn", 1), ("stange_runup_yn", 1), ("krx300_issu_yn", 1),
    ("sale_account", 9), ("bsop_prfi", 9), ("op_prfi", 9), ("thtr_ntin", 5), ("roe", 9),
    ("base_date", 8), ("prdy_avls_scal", 9), ("grp_code", 3), ("co_crdt_limt_over_yn", 1),
    ("secu_lend_able_yn", 1), ("stln_able_yn", 1),
];

/// The tail of `konex_code.mst`.
#[rustfmt::skip]
pub(crate) const KONEX_TAIL: &[Field] = &[
    ("scrt_grp_cls_code", 2), ("stck_sdpr", 9), ("frml_mrkt_deal_qty_unit", 5),
    ("ovtm_mrkt_deal_qty_unit", 5), ("trht_yn", 1), ("sltr_yn", 1), ("mang_issu_yn", 1),
    ("mrkt_alrm_cls_code", 2), ("mrkt_alrm_risk_adnt_yn", 1), ("insn_pbnt_yn", 1),
    ("byps_lstn_yn", 1), ("flng_cls_code", 2), ("fcam_mod_cls_code", 2), ("icic_cls_code", 2),
    ("marg_rate", 3), ("crdt_able", 1), ("crdt_days", 3), ("prdy_vol", 12), ("stck_fcam", 12),
    ("stck_lstn_date", 8), ("lstn_stcn", 15), ("cpfn", 21), ("stac_month", 2), ("po_prc", 7),
    ("prst_cls_code", 1), ("ssts_hot_yn", 1), ("stange_runup_yn", 1), ("krx300_issu_yn", 1),
    ("sale_account", 9), ("bsop_prfi", 9), ("op_prfi", 9), ("thtr_ntin", 5), ("roe", 9),
    ("base_date", 8), ("prdy_avls_scal", 9), ("co_crdt_limt_over_yn", 1),
    ("secu_lend_able_yn", 1), ("stln_able_yn", 1),
];

/// Short code and standard code widths at the head of every line.
pub(crate) const SHORT_CODE: usize = 9;
/// Standard code (ISIN) width.
pub(crate) const STANDARD_CODE: usize = 12;

/// One market's layout: its tail and where each field sits in it.
pub(crate) struct Layout {
    fields: &'static [Field],
    width: usize,
}

impl Layout {
    /// The layout of a KRX stock market's master.
    pub(crate) fn of(market: Market) -> Option<Layout> {
        let fields = match market {
            Market::Kospi => KOSPI_TAIL,
            Market::Kosdaq => KOSDAQ_TAIL,
            Market::Konex => KONEX_TAIL,
            _ => return None,
        };
        Some(Layout {
            fields,
            width: fields.iter().map(|f| f.1).sum(),
        })
    }

    /// Bytes of the fixed tail (227, 221, 184).
    pub(crate) fn width(&self) -> usize {
        self.width
    }

    /// The byte range of a field inside the tail.
    fn range(&self, name: &str) -> Option<std::ops::Range<usize>> {
        let mut at = 0;
        for (n, w) in self.fields {
            if *n == name {
                return Some(at..at + w);
            }
            at += w;
        }
        None
    }

    /// A field's text, trimmed (empty when the layout has no such field).
    pub(crate) fn field<'a>(&self, tail: &'a [u8], name: &str) -> &'a str {
        self.range(name)
            .and_then(|r| tail.get(r))
            .and_then(|b| std::str::from_utf8(b).ok())
            .map_or("", str::trim)
    }
}

/// Parses one line (without its line end) of a KRX stock master. `None` for a line too
/// short to hold the head and the tail.
pub(crate) fn parse_line(market: Market, layout: &Layout, line: &[u8]) -> Option<Instrument> {
    let head = SHORT_CODE + STANDARD_CODE;
    if line.len() < head + layout.width() {
        return None;
    }
    let tail = &line[line.len() - layout.width()..];
    let ascii = |b: &[u8]| std::str::from_utf8(b).ok().map(|s| s.trim().to_owned());
    let code = ascii(&line[..SHORT_CODE])?;
    let standard = ascii(&line[SHORT_CODE..head])?;
    if code.is_empty() || !tail.is_ascii() {
        return None;
    }
    let (name, _, _) = encoding_rs::EUC_KR.decode(&line[head..line.len() - layout.width()]);
    let f = |n: &str| layout.field(tail, n);
    let group = f("scrt_grp_cls_code");
    let mut kind = ProductKind::from_krx_group(group);
    if kind == ProductKind::Etf && matches!(f("etp_prod_cls_code"), "3" | "4") {
        kind = ProductKind::Etn;
    }
    let mut i = Instrument::new(&code, name.trim(), market, kind);
    i.standard_code = standard;
    i.lot = f("frml_mrkt_deal_qty_unit").parse().unwrap_or(1).max(1);
    i.halted = f("trht_yn") == "Y";
    i.liquidation = f("sltr_yn") == "Y";
    i.administrative = f("mang_issu_yn") == "Y";
    i.warning = Warning::from_code(f("mrkt_alrm_cls_code"));
    i.overheated = matches!(f("short_over_cls_code"), "2" | "3");
    i.base_price = f("stck_sdpr")
        .parse::<i64>()
        .ok()
        .filter(|p| *p > 0)
        .map(Money::krw);
    i.listed = NaiveDate::parse_from_str(f("stck_lstn_date"), "%Y%m%d").ok();
    i.raw = decode_line(line);
    Some(i)
}

/// A whole line decoded from cp949 (the name's bytes are the only non-ASCII ones).
pub(crate) fn decode_line(line: &[u8]) -> String {
    encoding_rs::EUC_KR.decode(line).0.into_owned()
}

/// A named field of an instrument parsed from a KRX stock master, read again from its raw
/// line (for the fields [`Instrument`] does not name: sector codes, margin rate, capital...).
pub(crate) fn raw_field(market: Market, raw: &str, name: &str) -> Option<String> {
    let layout = Layout::of(market)?;
    let (bytes, _, _) = encoding_rs::EUC_KR.encode(raw);
    if bytes.len() < layout.width() {
        return None;
    }
    let tail = &bytes[bytes.len() - layout.width()..];
    layout.range(name)?;
    Some(layout.field(tail, name).to_owned())
}
