//! The dashboard's words, in both languages.

use crate::i18n::Text;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DashboardText {
    Health,
    WorstFirst,
    AllInCatalog,
    DefaultModel,
    NoDefault,
    Coverage,
    Full,
    Partial,
    NoneServed,
    Gaps,
    NoMappings,
    RecentRuns,
    NoRuns,
    Shortcuts,
    GoCatalog,
    GoMapping,
    GoSimulation,
    LastCheck,
    Requests,
    SuccessRate,
    Open,
    NoEndpoints,
    NotRouted,
    UpdatedAt,
    Errors,
}

impl Text for DashboardText {
    fn pair(self) -> (&'static str, &'static str) {
        use DashboardText::*;
        match self {
            Health => ("端点健康", "Endpoint health"),
            WorstFirst => ("需要关注的在前，显示", "Needing a look first, showing"),
            AllInCatalog => ("在目录中查看全部", "see all in the catalog"),
            DefaultModel => ("全局默认模型", "Global default model"),
            NoDefault => ("尚未设置默认模型。", "No default model yet."),
            Coverage => ("映射覆盖", "Mapping coverage"),
            Full => ("全部由健康端点提供", "fully served by healthy endpoints"),
            Partial => ("部分覆盖", "partly served"),
            NoneServed => ("无健康端点", "not served"),
            Gaps => ("缺口", "gaps"),
            NoMappings => ("还没有启用的映射。", "No enabled mappings yet."),
            RecentRuns => ("最近的压测", "Recent runs"),
            NoRuns => ("还没有压测。", "No runs yet."),
            Shortcuts => ("快捷入口", "Shortcuts"),
            GoCatalog => ("管理端点与默认模型", "Manage endpoints and the default"),
            GoMapping => ("配置业务域映射", "Configure domain mappings"),
            GoSimulation => ("签发 JWT 并压测", "Mint JWTs and run load tests"),
            LastCheck => ("最近检测", "last check"),
            Requests => ("启动以来的对话请求", "chat requests since start"),
            Errors => ("失败", "failed"),
            UpdatedAt => ("更新于", "Updated at"),
            SuccessRate => ("成功率", "success"),
            Open => ("查看结果", "results"),
            NoEndpoints => ("还没有端点。", "No endpoints yet."),
            NotRouted => ("个未路由", "not routed"),
        }
    }
}
