# Cancel one asynchronous invocation. Applying sends the cancel once;
# destroying only forgets it.
resource "huaweicloud_fgs_async_invocation_cancel" "stop_report" {
  function_urn = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:report-generator:latest"
  request_id   = "1b3a6c2e-7d3f-4e1a-9c6b-2f1e0d9c8b7a"
  type         = "force"

  timeouts {
    create = "2m"
  }
}
