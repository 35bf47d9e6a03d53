"""Problem statements shared by the tests of the form and of collect."""

STRONG = {
    "problem": "Maintenance technicians service our packaging machines on a fixed schedule, yet unexpected "
               "breakdowns still cause around 30 hours of downtime per line each month.",
    "outcome": "Reduce unplanned downtime by 25% within nine months by predicting which machines are likely "
               "to fail next week, so technicians can schedule repairs during planned stops.",
    "data_sources": "Sensor readings from the SCADA historian, maintenance logs and work orders with past "
                    "failures recorded since 2019, and production schedules from the MES.",
}
