# Terraform 1.14 or later; OpenTofu has no action blocks.

# On demand, leaving nothing in state: stop everything the function is running.
#   terraform apply -invoke=action.huaweicloud_fgs_async_invocations_cancel.stop_all
action "huaweicloud_fgs_async_invocations_cancel" "stop_all" {
  config {
    function_urn    = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:report-generator:latest"
    max_concurrency = 50
    timeout         = "10m"
  }
}

# Whenever a new version of the job's configuration is deployed, stop the
# invocations still running the old one.
resource "terraform_data" "report_config" {
  input = "v2"

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.huaweicloud_fgs_async_invocations_cancel.stop_all]
    }
  }
}
