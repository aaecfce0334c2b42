// ECharts with only the pieces the app draws, so the chart library stays out of other routes.
import { BarChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer])

export { echarts }

/** Common defaults: animation off keeps screenshots and printouts exact; system CJK fonts. */
export const BASE_OPTION = {
  animation: false,
  textStyle: { fontFamily: "'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif" },
  color: ['#b22222', '#409eff', '#e6a23c', '#67c23a', '#909399', '#8e44ad'],
}
